import { Injectable } from '@nestjs/common';
import { deliveryStatusSchema, type AlertDelivery, type AlertDeliveryList } from '@portpressure/protocol';
import { z } from 'zod';
import { AlertsError, listLimitSchema, parseAlertInput } from '../alerts.errors.ts';
import { toAlertDelivery } from './delivery-view.ts';
import { OutboxRepository } from './outbox.repository.ts';

const listQuerySchema = z.object({
  status: deliveryStatusSchema.optional(),
  channelId: z.uuid().optional(),
  incidentId: z.uuid().optional(),
  limit: listLimitSchema,
});

@Injectable()
export class DeliveriesService {
  constructor(private readonly outbox: OutboxRepository) {}

  async list(query: unknown): Promise<AlertDeliveryList> {
    const { deliveries, attempts } = await this.outbox.list(parseAlertInput(listQuerySchema, query));
    return { deliveries: deliveries.map((d) => toAlertDelivery(d, attempts)) };
  }

  async get(id: string): Promise<AlertDelivery> {
    if (!/^\d{1,18}$/.test(id)) throw new AlertsError('ALERT_DELIVERY_NOT_FOUND', `no delivery ${id}`);
    const found = await this.outbox.findById(id);
    if (found === null) throw new AlertsError('ALERT_DELIVERY_NOT_FOUND', `no delivery ${id}`);
    return toAlertDelivery(found.delivery, found.attempts);
  }
}
