import { channelTypeSchema, notificationKindSchema, type AlertDelivery, type DeliveryAttempt } from '@portpressure/protocol';
import { alertNotificationSchema, renderTitle } from '../../notifications/notification.ts';
import type { AttemptRow, DeliveryRow } from './outbox.repository.ts';

function toAttempt(a: AttemptRow): DeliveryAttempt {
  return {
    attempt: a.attempt,
    startedAt: a.startedAt.toISOString(),
    durationMs: a.durationMs,
    outcome: a.outcome === 'delivered' ? 'delivered' : a.outcome === 'retry' ? 'retry' : 'failed',
    httpStatus: a.httpStatus,
    error: a.error,
    retryAfterMs: a.retryAfterMs,
    nextAttemptAt: a.nextAttemptAt?.toISOString() ?? null,
  };
}

/** The delivery log's view of an outbox row: no channel settings, so no webhook URL, ever. */
export function toAlertDelivery(row: DeliveryRow, attempts: readonly AttemptRow[]): AlertDelivery {
  const notification = alertNotificationSchema.safeParse(row.payload);
  const type = channelTypeSchema.safeParse(row.channelType);
  const kind = notificationKindSchema.safeParse(row.kind);
  return {
    id: row.id.toString(),
    notificationId: row.notificationId,
    kind: kind.success ? kind.data : 'test',
    title: notification.success ? renderTitle(notification.data) : row.notificationId,
    channel: { id: row.channelId, name: row.channelName, type: type.success ? type.data : 'webhook' },
    incidentId: row.incidentId,
    status: row.status === 'delivered' ? 'delivered' : row.status === 'failed' ? 'failed' : 'pending',
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? row.nextAttemptAt.toISOString() : null,
    lastError: row.lastError,
    createdAt: row.createdAt.toISOString(),
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    attemptLog: attempts.filter((a) => a.deliveryId === row.id).map(toAttempt),
  };
}
