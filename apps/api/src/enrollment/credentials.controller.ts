import { Controller, Delete, Inject, Param } from '@nestjs/common';
import type { CredentialRevoked } from '@portpressure/protocol';
import { z } from 'zod';
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
  revoke(@Param('id') id: string): Promise<CredentialRevoked> {
    if (!hostIdSchema.safeParse(id).success) throw new EnrollmentError('INVALID_HOST_ID', `"${id}" is not a host id`);
    return this.enrollment.revoke(id);
  }
}
