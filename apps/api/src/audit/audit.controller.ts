import { Controller, Get, Query } from '@nestjs/common';
import { ApiCookieAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { auditEventListSchema, type AuditEventList } from '@portpressure/protocol';
import { ApiEndpoint, schemaRef } from '../docs/openapi.ts';
import { AuditService } from './audit.service.ts';

@ApiTags('audit')
@ApiCookieAuth('session')
@Controller('api/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiEndpoint({
    summary: 'Audit log, newest first',
    description:
      'Who created, changed or deleted rules, channels, users and host credentials, and who acknowledged or silenced incidents, with the object before and after (secrets masked).',
    ok: schemaRef('AuditEventList', auditEventListSchema),
    errors: [400],
  })
  @ApiQuery({ name: 'limit', required: false, description: '1-500, default 100' })
  @ApiQuery({ name: 'before', required: false, description: "Event id: only older events (the previous page's nextBefore)" })
  @ApiQuery({ name: 'entityType', required: false, enum: ['rule', 'channel', 'user', 'host', 'incident'] })
  list(@Query() query: Record<string, unknown>): Promise<AuditEventList> {
    return this.audit.list(query);
  }
}
