import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiCookieAuth, ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { hostDiagnosticsSchema, type HostDiagnostics } from '@portpressure/protocol';
import { z } from 'zod';
import { errorRef, schemaRef } from '../docs/openapi.ts';
import { HostsError } from '../hosts/hosts.errors.ts';
import { DiagnosticsService } from './diagnostics.service.ts';

const hostIdSchema = z.uuid();

@ApiTags('hosts')
@ApiCookieAuth('session')
@ApiResponse({ status: 401, description: 'Not signed in', schema: errorRef })
@Controller('api/hosts')
export class DiagnosticsController {
  constructor(@Inject(DiagnosticsService) private readonly diagnostics: DiagnosticsService) {}

  @Get(':id/diagnostics')
  @ApiOperation({
    summary: "A host's latest diagnosis",
    description:
      'Processes, churn and verdicts with advice per tuple, the conntrack table, SNAT pools and kernel counter deltas ' +
      'from the newest snapshot of the host that carried diagnostics. Null fields: its agent never sent any.',
  })
  @ApiParam({ name: 'id', description: 'Host id (UUID)', schema: { type: 'string', format: 'uuid' } })
  @ApiOkResponse({ schema: schemaRef('HostDiagnostics', hostDiagnosticsSchema) })
  @ApiResponse({ status: 400, description: 'Not a host id', schema: errorRef })
  @ApiResponse({ status: 404, description: 'No such host', schema: errorRef })
  get(@Param('id') id: string): Promise<HostDiagnostics> {
    if (!hostIdSchema.safeParse(id).success) throw new HostsError('INVALID_HOST_ID', `"${id.slice(0, 64)}" is not a host id`);
    return this.diagnostics.latest(id);
  }
}
