import { Injectable } from '@nestjs/common';
import { incidentFilterSchema, silenceIncidentSchema, type AlertIncident, type AlertIncidentList } from '@portpressure/protocol';
import { z } from 'zod';
import { AlertsError, listLimitSchema, parseAlertInput } from '../alerts.errors.ts';
import { toAlertIncident } from './incident-view.ts';
import { IncidentsRepository } from './incidents.repository.ts';

const idSchema = z.uuid();
const listQuerySchema = z.object({
  status: incidentFilterSchema.default('all'),
  hostId: z.uuid().optional(),
  limit: listLimitSchema,
});

@Injectable()
export class IncidentsService {
  constructor(private readonly incidents: IncidentsRepository) {}

  async list(query: unknown): Promise<AlertIncidentList> {
    const { status, limit, hostId } = parseAlertInput(listQuerySchema, query);
    const rows = await this.incidents.list(status, limit, hostId);
    return { incidents: rows.map(toAlertIncident) };
  }

  async get(id: string): Promise<AlertIncident> {
    const row = idSchema.safeParse(id).success ? await this.incidents.findById(id) : null;
    if (row === null) throw new AlertsError('ALERT_INCIDENT_NOT_FOUND', `no incident ${id}`);
    return toAlertIncident(row);
  }

  /** Someone is on it: reminders stop; the resolution is still sent. */
  async acknowledge(id: string, by: string): Promise<AlertIncident> {
    this.check(id, await this.incidents.acknowledge(this.id(id), by, new Date()));
    return this.get(id);
  }

  /** No notifications for this incident for a while (its resolution still goes out). */
  async silence(id: string, body: unknown): Promise<AlertIncident> {
    const { durationSeconds } = parseAlertInput(silenceIncidentSchema, body);
    const until = new Date(Date.now() + durationSeconds * 1000);
    this.check(id, await this.incidents.silence(this.id(id), until));
    return this.get(id);
  }

  async unsilence(id: string): Promise<AlertIncident> {
    this.check(id, await this.incidents.silence(this.id(id), null));
    return this.get(id);
  }

  private id(id: string): string {
    if (!idSchema.safeParse(id).success) throw new AlertsError('ALERT_INCIDENT_NOT_FOUND', `no incident ${id}`);
    return id;
  }

  private check(id: string, result: 'ok' | 'missing' | 'not-firing'): void {
    if (result === 'missing') throw new AlertsError('ALERT_INCIDENT_NOT_FOUND', `no incident ${id}`);
    if (result === 'not-firing') throw new AlertsError('INCIDENT_NOT_FIRING', `incident ${id} is already resolved`);
  }
}
