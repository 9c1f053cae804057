import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiCookieAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  alertIncidentListSchema,
  alertIncidentSchema,
  silenceIncidentSchema,
  type AlertIncident,
  type AlertIncidentList,
} from '@portpressure/protocol';
import type { Request } from 'express';
import { getRequestSession } from '../../auth/auth-request.ts';
import { Audited } from '../../audit/audit.decorator.ts';
import { errorRef, schemaRef } from '../../docs/openapi.ts';
import { IncidentsService } from './incidents.service.ts';

const load = { service: IncidentsService, method: 'get' };
const incidentRef = schemaRef('AlertIncident', alertIncidentSchema);

@ApiTags('alerts')
@ApiCookieAuth('session')
@Controller('api/alerts/incidents')
export class IncidentsController {
  constructor(@Inject(IncidentsService) private readonly incidents: IncidentsService) {}

  @Get()
  @ApiOperation({ summary: 'Incidents, newest first' })
  @ApiQuery({ name: 'status', required: false, enum: ['firing', 'resolved', 'acknowledged', 'all'] })
  @ApiQuery({ name: 'hostId', required: false })
  @ApiQuery({ name: 'limit', required: false, description: '1-500, default 100' })
  @ApiOkResponse({ schema: schemaRef('AlertIncidentList', alertIncidentListSchema) })
  @ApiResponse({ status: 400, schema: errorRef })
  list(@Query() query: Record<string, unknown>): Promise<AlertIncidentList> {
    return this.incidents.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One incident' })
  @ApiOkResponse({ schema: incidentRef })
  @ApiResponse({ status: 404, schema: errorRef })
  get(@Param('id') id: string): Promise<AlertIncident> {
    return this.incidents.get(id);
  }

  @Post(':id/acknowledge')
  @Audited({ entity: 'incident', action: 'acknowledge', load })
  @HttpCode(200)
  @ApiOperation({ summary: 'Acknowledge a firing incident', description: 'Stops reminders; the resolution is still sent.' })
  @ApiOkResponse({ schema: incidentRef })
  @ApiResponse({ status: 404, schema: errorRef })
  @ApiResponse({ status: 409, description: 'Already resolved', schema: errorRef })
  acknowledge(@Param('id') id: string, @Req() req: Request): Promise<AlertIncident> {
    return this.incidents.acknowledge(id, getRequestSession(req)?.username ?? 'unknown');
  }

  @Post(':id/silence')
  @Audited({ entity: 'incident', action: 'silence', load })
  @HttpCode(200)
  @ApiOperation({ summary: 'Silence a firing incident for a while', description: 'No reminders until then.' })
  @ApiBody({ schema: schemaRef('SilenceIncident', silenceIncidentSchema, 'input') })
  @ApiOkResponse({ schema: incidentRef })
  @ApiResponse({ status: 404, schema: errorRef })
  @ApiResponse({ status: 409, description: 'Already resolved', schema: errorRef })
  silence(@Param('id') id: string, @Body() body: unknown): Promise<AlertIncident> {
    return this.incidents.silence(id, body);
  }

  @Delete(':id/silence')
  @Audited({ entity: 'incident', action: 'unsilence', load })
  @ApiOperation({ summary: 'Lift the silence of an incident' })
  @ApiOkResponse({ schema: incidentRef })
  @ApiResponse({ status: 404, schema: errorRef })
  unsilence(@Param('id') id: string): Promise<AlertIncident> {
    return this.incidents.unsilence(id);
  }
}
