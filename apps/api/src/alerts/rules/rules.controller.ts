import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put } from '@nestjs/common';
import { ApiBody, ApiCookieAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { alertRuleInputSchema, alertRuleListSchema, alertRuleSchema, type AlertRule, type AlertRuleList } from '@portpressure/protocol';
import { Audited } from '../../audit/audit.decorator.ts';
import { errorRef, schemaRef } from '../../docs/openapi.ts';
import { RulesService } from './rules.service.ts';

const ruleRef = schemaRef('AlertRule', alertRuleSchema);
const load = { service: RulesService, method: 'get' };
const ruleInputRef = schemaRef('AlertRuleInput', alertRuleInputSchema, 'input');

@ApiTags('alerts')
@ApiCookieAuth('session')
@Controller('api/alerts/rules')
export class RulesController {
  constructor(@Inject(RulesService) private readonly rules: RulesService) {}

  @Get()
  @ApiOperation({ summary: 'Alert rules', description: 'Pressure, forecast and offline rules, oldest first.' })
  @ApiOkResponse({ schema: schemaRef('AlertRuleList', alertRuleListSchema) })
  list(): Promise<AlertRuleList> {
    return this.rules.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'One alert rule' })
  @ApiOkResponse({ schema: ruleRef })
  @ApiResponse({ status: 404, schema: errorRef })
  get(@Param('id') id: string): Promise<AlertRule> {
    return this.rules.get(id);
  }

  @Post()
  @Audited({ entity: 'rule', action: 'create' })
  @ApiOperation({ summary: 'Create a rule' })
  @ApiBody({ schema: ruleInputRef })
  @ApiOkResponse({ schema: ruleRef })
  @ApiResponse({ status: 400, description: 'Invalid rule, unknown channel or host', schema: errorRef })
  create(@Body() body: unknown): Promise<AlertRule> {
    return this.rules.create(body);
  }

  @Put(':id')
  @Audited({ entity: 'rule', action: 'update', load })
  @ApiOperation({
    summary: 'Replace a rule',
    description: 'Disabling a rule or changing its kind resolves its firing incidents at once.',
  })
  @ApiBody({ schema: ruleInputRef })
  @ApiOkResponse({ schema: ruleRef })
  @ApiResponse({ status: 400, schema: errorRef })
  @ApiResponse({ status: 404, schema: errorRef })
  update(@Param('id') id: string, @Body() body: unknown): Promise<AlertRule> {
    return this.rules.update(id, body);
  }

  @Delete(':id')
  @Audited({ entity: 'rule', action: 'delete', load })
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a rule', description: 'Its firing incidents are resolved first; incident history stays.' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiResponse({ status: 404, schema: errorRef })
  delete(@Param('id') id: string): Promise<void> {
    return this.rules.delete(id);
  }
}
