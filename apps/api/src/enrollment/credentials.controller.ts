import { Controller, Delete, Inject, Param } from '@nestjs/common';
import { ApiCookieAuth, ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { credentialRevokedSchema, type CredentialRevoked } from '@portpressure/protocol';
import { z } from 'zod';
import { Audited } from '../audit/audit.decorator.ts';
import { errorRef, schemaRef } from '../docs/openapi.ts';
import { EnrollmentError } from './enrollment.errors.ts';
import { EnrollmentService } from './enrollment.service.ts';

const hostIdSchema = z.uuid();

@Controller('api/hosts')
export class CredentialsController {
  constructor(@Inject(EnrollmentService) private readonly enrollment: EnrollmentService) {}

  /**
   * Revokes the host's agent credential: its connections end now and every later one is refused
   * until the host enrolls again (which needs the enrollment token). History is kept.
   */
  @Delete(':id/credential')
  @Audited({ entity: 'host', action: 'revoke-credential' })
  @ApiTags('hosts')
  @ApiCookieAuth('session')
  @ApiOperation({
    summary: "Revoke a host's agent credential",
    description: 'Its agent connections close now and later ones are refused until the host enrolls again; history is kept.',
  })
  @ApiParam({ name: 'id', description: 'Host id (UUID)', schema: { type: 'string', format: 'uuid' } })
  @ApiOkResponse({ schema: schemaRef('CredentialRevoked', credentialRevokedSchema) })
  @ApiResponse({ status: 400, description: 'Not a host id', schema: errorRef })
  @ApiResponse({ status: 401, description: 'Not signed in', schema: errorRef })
  @ApiResponse({ status: 404, description: 'No such host', schema: errorRef })
  revoke(@Param('id') id: string): Promise<CredentialRevoked> {
    if (!hostIdSchema.safeParse(id).success) throw new EnrollmentError('INVALID_HOST_ID', `"${id}" is not a host id`);
    return this.enrollment.revoke(id);
  }
}
