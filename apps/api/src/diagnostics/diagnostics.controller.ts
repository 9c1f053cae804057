import { Controller, Get, Param } from '@nestjs/common';
import { hostDiagnosticsSchema, type HostDiagnostics } from '@portpressure/protocol';
import { ApiEndpoint, ApiHostId, ApiSignedIn, schemaRef } from '../docs/openapi.ts';
import { checkHostId } from '../hosts/hosts.errors.ts';
import { DiagnosticsService } from './diagnostics.service.ts';

@ApiSignedIn('hosts')
@Controller('api/hosts')
export class DiagnosticsController {
  constructor(private readonly diagnostics: DiagnosticsService) {}

  @Get(':id/diagnostics')
  @ApiHostId()
  @ApiEndpoint({
    summary: "A host's latest diagnosis",
    description:
      'Processes, churn and verdicts with advice per tuple, the conntrack table, SNAT pools and kernel counter deltas ' +
      'from the newest snapshot of the host that carried diagnostics. Null fields: its agent never sent any.',
    ok: schemaRef('HostDiagnostics', hostDiagnosticsSchema),
  })
  get(@Param('id') id: string): Promise<HostDiagnostics> {
    checkHostId(id);
    return this.diagnostics.latest(id);
  }
}
