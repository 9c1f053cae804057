import { Controller, Get } from '@nestjs/common';
import { storageReportSchema, type StorageReport } from '@portpressure/protocol';
import { ApiEndpoint, ApiSignedIn, schemaRef } from '../docs/openapi.ts';
import { StorageService } from './storage.service.ts';

@ApiSignedIn('storage')
@Controller('api/storage')
export class StorageController {
  constructor(private readonly storage: StorageService) {}

  @Get()
  @ApiEndpoint({
    summary: 'Disk use per history tier, now and projected',
    description:
      'Bytes on disk (tables, indexes and TOAST of every partition) of the raw, minute and hour tiers and of everything ' +
      'else, and the steady-state size the current fleet reaches under the current retention (PORTPRESSURE_RETENTION_*).',
    ok: schemaRef('StorageReport', storageReportSchema),
  })
  get(): Promise<StorageReport> {
    return this.storage.report();
  }
}
