import { Controller, Get, Inject } from '@nestjs/common';
import { ApiCookieAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { storageReportSchema, type StorageReport } from '@portpressure/protocol';
import { errorRef, schemaRef } from '../docs/openapi.ts';
import { StorageService } from './storage.service.ts';

@ApiTags('storage')
@ApiCookieAuth('session')
@Controller('api/storage')
export class StorageController {
  constructor(@Inject(StorageService) private readonly storage: StorageService) {}

  @Get()
  @ApiOperation({
    summary: 'Disk use per history tier, now and projected',
    description:
      'Bytes on disk (tables, indexes and TOAST of every partition) of the raw, minute and hour tiers and of everything ' +
      'else, and the steady-state size the current fleet reaches under the current retention (PORTPRESSURE_RETENTION_*).',
  })
  @ApiOkResponse({ schema: schemaRef('StorageReport', storageReportSchema) })
  @ApiResponse({ status: 401, description: 'Not signed in', schema: errorRef })
  get(): Promise<StorageReport> {
    return this.storage.report();
  }
}
