import { Controller, Delete, Param } from '@nestjs/common';
import { credentialRevokedSchema, type CredentialRevoked } from '@portpressure/protocol';
import { Audited } from '../audit/audit.decorator.ts';
import { ApiEndpoint, ApiHostId, ApiSignedIn, schemaRef } from '../docs/openapi.ts';
import { checkHostId } from '../hosts/hosts.errors.ts';
import { EnrollmentService } from './enrollment.service.ts';

@Controller('api/hosts')
export class CredentialsController {
  constructor(private readonly enrollment: EnrollmentService) {}

  /**
   * Revokes the host's agent credential: its connections end now and every later one is refused
   * until the host enrolls again (which needs the enrollment token). History is kept.
   */
  @Delete(':id/credential')
  @Audited({ entity: 'host', action: 'revoke-credential' })
  @ApiSignedIn('hosts')
  @ApiHostId()
  @ApiEndpoint({
    summary: "Revoke a host's agent credential",
    description: 'Its agent connections close now and later ones are refused until the host enrolls again; history is kept.',
    ok: schemaRef('CredentialRevoked', credentialRevokedSchema),
  })
  revoke(@Param('id') id: string): Promise<CredentialRevoked> {
    checkHostId(id);
    return this.enrollment.revoke(id);
  }
}
