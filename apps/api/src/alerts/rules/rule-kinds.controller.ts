import { Controller, Get } from '@nestjs/common';
import { ApiCookieAuth, ApiTags } from '@nestjs/swagger';
import { alertRuleKindListSchema, type AlertRuleKindList } from '@portpressure/protocol';
import { ApiEndpoint, schemaRef } from '../../docs/openapi.ts';
import { ruleKindRegistry } from './kinds/index.ts';

@ApiTags('alerts')
@ApiCookieAuth('session')
@Controller('api/alerts/rule-kinds')
export class RuleKindsController {
  @Get()
  @ApiEndpoint({
    summary: 'Kinds of alert rule the server evaluates, with the settings form of each',
    ok: schemaRef('AlertRuleKindList', alertRuleKindListSchema),
  })
  list(): AlertRuleKindList {
    return { kinds: ruleKindRegistry.list() };
  }
}
