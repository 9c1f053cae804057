import { Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiCookieAuth, ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { hostSequenceResetSchema, type HostSequenceReset } from '@portpressure/protocol';
import { z } from 'zod';
import { Audited } from '../audit/audit.decorator.ts';
import { errorRef, schemaRef } from '../docs/openapi.ts';
import { HostsError } from '../hosts/hosts.errors.ts';
import { HostSequenceService } from './host-sequence.service.ts';

const hostIdSchema = z.uuid();

@ApiTags('hosts')
@ApiCookieAuth('session')
@ApiResponse({ status: 401, description: 'Not signed in', schema: errorRef })
@Controller('api/hosts')
export class HostSequenceController {
  constructor(@Inject(HostSequenceService) private readonly sequence: HostSequenceService) {}

  /** Editors and admins (a change: RolesGuard's default); recorded in the audit log. */
  @Post(':id/sequence-reset')
  @HttpCode(200)
  @Audited({ entity: 'host', action: 'reset-sequence' })
  @ApiOperation({
    summary: "Reset a host's sequence baseline",
    description:
      "Sets the host's last stored sequence number back to 0, so its agent stores again after its numbering was " +
      'poisoned (a seq near 2^53) or its state folder was lost. History is kept; snapshots stored before the reset ' +
      "no longer count as resends or clashes of new ones. The host's agent connections on this API instance reconnect.",
  })
  @ApiParam({ name: 'id', description: 'Host id (UUID)', schema: { type: 'string', format: 'uuid' } })
  @ApiOkResponse({ schema: schemaRef('HostSequenceReset', hostSequenceResetSchema) })
  @ApiResponse({ status: 400, description: 'Not a host id', schema: errorRef })
  @ApiResponse({ status: 403, description: 'Viewers may not change hosts', schema: errorRef })
  @ApiResponse({ status: 404, description: 'No such host', schema: errorRef })
  reset(@Param('id') id: string): Promise<HostSequenceReset> {
    if (!hostIdSchema.safeParse(id).success) throw new HostsError('INVALID_HOST_ID', `"${id.slice(0, 64)}" is not a host id`);
    return this.sequence.reset(id);
  }
}
