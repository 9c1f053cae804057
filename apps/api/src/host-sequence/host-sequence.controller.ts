import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { hostSequenceResetSchema, type HostSequenceReset } from '@portpressure/protocol';
import { Audited } from '../audit/audit.decorator.ts';
import { ApiEndpoint, ApiHostId, ApiSignedIn, schemaRef } from '../docs/openapi.ts';
import { checkHostId } from '../hosts/hosts.errors.ts';
import { HostSequenceService } from './host-sequence.service.ts';

@ApiSignedIn('hosts')
@ApiHostId()
@Controller('api/hosts')
export class HostSequenceController {
  constructor(private readonly sequence: HostSequenceService) {}

  /** Editors and admins (a change: RolesGuard's default); recorded in the audit log. */
  @Post(':id/sequence-reset')
  @HttpCode(200)
  @Audited({ entity: 'host', action: 'reset-sequence' })
  @ApiEndpoint({
    summary: "Reset a host's sequence baseline",
    description:
      "Sets the host's last stored sequence number back to 0, so its agent stores again after its numbering was " +
      'poisoned (a seq near 2^53) or its state folder was lost. History is kept; snapshots stored before the reset ' +
      "no longer count as resends or clashes of new ones. The host's agent connections on this API instance reconnect.",
    ok: schemaRef('HostSequenceReset', hostSequenceResetSchema),
    errors: [[403, 'Viewers may not change hosts']],
  })
  reset(@Param('id') id: string): Promise<HostSequenceReset> {
    checkHostId(id);
    return this.sequence.reset(id);
  }
}
