import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { alertRuleInputSchema, alertRuleListSchema, alertRuleSchema, type AlertRule, type AlertRuleList } from '@portpressure/protocol';
import { Audited } from '../../audit/audit.decorator.ts';
import { ApiEndpoint, ApiSignedIn, schemaRef } from '../../docs/openapi.ts';
import { RulesService } from './rules.service.ts';

const ruleRef = schemaRef('AlertRule', alertRuleSchema);
const load = { service: RulesService, method: 'get' };
const ruleInputRef = schemaRef('AlertRuleInput', alertRuleInputSchema, 'input');

@ApiSignedIn('alerts')
@Controller('api/alerts/rules')
export class RulesController {
  constructor(private readonly rules: RulesService) {}

  @Get()
  @ApiEndpoint({
    summary: 'Alert rules',
    description: 'Pressure, forecast and offline rules, oldest first.',
    ok: schemaRef('AlertRuleList', alertRuleListSchema),
  })
  list(): Promise<AlertRuleList> {
    return this.rules.list();
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'One alert rule', ok: ruleRef, errors: [404] })
  get(@Param('id') id: string): Promise<AlertRule> {
    return this.rules.get(id);
  }

  @Post()
  @Audited({ entity: 'rule', action: 'create' })
  @ApiEndpoint({ summary: 'Create a rule', body: ruleInputRef, ok: ruleRef, errors: [[400, 'Invalid rule, unknown channel or host']] })
  create(@Body() body: unknown): Promise<AlertRule> {
    return this.rules.create(body);
  }

  @Put(':id')
  @Audited({ entity: 'rule', action: 'update', load })
  @ApiEndpoint({
    summary: 'Replace a rule',
    description: 'Disabling a rule or changing its kind resolves its firing incidents at once.',
    body: ruleInputRef,
    ok: ruleRef,
    errors: [400, 404],
  })
  update(@Param('id') id: string, @Body() body: unknown): Promise<AlertRule> {
    return this.rules.update(id, body);
  }

  @Delete(':id')
  @Audited({ entity: 'rule', action: 'delete', load })
  @HttpCode(204)
  @ApiEndpoint({
    summary: 'Delete a rule',
    description: 'Its firing incidents are resolved first; incident history stays.',
    noContent: true,
    errors: [404],
  })
  delete(@Param('id') id: string): Promise<void> {
    return this.rules.delete(id);
  }
}
