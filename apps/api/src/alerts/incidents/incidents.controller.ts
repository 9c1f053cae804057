import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
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
import { ApiEndpoint, ApiSignedIn, schemaRef } from '../../docs/openapi.ts';
import { IncidentsService } from './incidents.service.ts';

const load = { service: IncidentsService, method: 'get' };
const incidentRef = schemaRef('AlertIncident', alertIncidentSchema);

@ApiSignedIn('alerts')
@Controller('api/alerts/incidents')
export class IncidentsController {
  constructor(private readonly incidents: IncidentsService) {}

  @Get()
  @ApiEndpoint({ summary: 'Incidents, newest first', ok: schemaRef('AlertIncidentList', alertIncidentListSchema), errors: [400] })
  @ApiQuery({ name: 'status', required: false, enum: ['firing', 'resolved', 'acknowledged', 'all'] })
  @ApiQuery({ name: 'hostId', required: false })
  @ApiQuery({ name: 'limit', required: false, description: '1-500, default 100' })
  list(@Query() query: Record<string, unknown>): Promise<AlertIncidentList> {
    return this.incidents.list(query);
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'One incident', ok: incidentRef, errors: [404] })
  get(@Param('id') id: string): Promise<AlertIncident> {
    return this.incidents.get(id);
  }

  @Post(':id/acknowledge')
  @Audited({ entity: 'incident', action: 'acknowledge', load })
  @HttpCode(200)
  @ApiEndpoint({
    summary: 'Acknowledge a firing incident',
    description: 'Stops reminders; the resolution is still sent.',
    ok: incidentRef,
    errors: [404, [409, 'Already resolved']],
  })
  acknowledge(@Param('id') id: string, @Req() req: Request): Promise<AlertIncident> {
    return this.incidents.acknowledge(id, getRequestSession(req)?.username ?? 'unknown');
  }

  @Post(':id/silence')
  @Audited({ entity: 'incident', action: 'silence', load })
  @HttpCode(200)
  @ApiEndpoint({
    summary: 'Silence a firing incident for a while',
    description: 'No reminders until then.',
    body: schemaRef('SilenceIncident', silenceIncidentSchema, 'input'),
    ok: incidentRef,
    errors: [404, [409, 'Already resolved']],
  })
  silence(@Param('id') id: string, @Body() body: unknown): Promise<AlertIncident> {
    return this.incidents.silence(id, body);
  }

  @Delete(':id/silence')
  @Audited({ entity: 'incident', action: 'unsilence', load })
  @ApiEndpoint({ summary: 'Lift the silence of an incident', ok: incidentRef, errors: [404] })
  unsilence(@Param('id') id: string): Promise<AlertIncident> {
    return this.incidents.unsilence(id);
  }
}
