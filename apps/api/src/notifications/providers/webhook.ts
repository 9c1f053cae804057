import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { redactUrl } from '../http-sender.ts';
import { alertNotificationSchema, renderText } from '../notification.ts';
import type { ChatProvider } from './chat-provider.ts';
import { JSON_HEADERS, webhookUrlSchema, webhookUrlField, secretField } from './chat-provider.ts';

export const WEBHOOK_TIMESTAMP_HEADER = 'x-portpressure-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'x-portpressure-signature';
export const WEBHOOK_EVENT_HEADER = 'x-portpressure-event';
export const WEBHOOK_ID_HEADER = 'x-portpressure-notification-id';
export const WEBHOOK_PAYLOAD_VERSION = 1;
/** Shown instead of the shared secret anywhere settings leave the server. */
export const REDACTED_SECRET = '***';

export const webhookSettingsSchema = z.object({
  webhookUrl: webhookUrlSchema,
  /** Shared HMAC key; long enough that guessing it is not an option. */
  secret: z.string().min(16, 'secret must be at least 16 characters').max(256),
});
export type WebhookSettings = z.infer<typeof webhookSettingsSchema>;

/** Body of the generic webhook: the notification itself plus the rendered text for simple bots. */
export const webhookPayloadSchema = z.object({
  version: z.literal(WEBHOOK_PAYLOAD_VERSION),
  text: z.string(),
  notification: alertNotificationSchema,
});
export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;

/** `sha256=<hex>` of HMAC-SHA256 over `${timestamp}.${body}`, Stripe's scheme. */
export function signWebhookBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Checks a generic webhook delivery on the receiving side. The timestamp is signed with the body,
 * so rejecting old timestamps stops a captured request from being replayed later.
 * Compares in constant time so the signature cannot be guessed byte by byte from response times.
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string,
  body: string,
  signature: string,
  toleranceSeconds: number,
  nowMs: number = Date.now(),
): boolean {
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  const ageSeconds = Math.abs(nowMs / 1000 - Number(timestamp));
  if (!(ageSeconds <= toleranceSeconds)) return false;
  if (!/^sha256=[0-9a-fA-F]{64}$/.test(signature)) return false;
  const expected = Buffer.from(signWebhookBody(secret, timestamp, body).slice('sha256='.length), 'hex');
  const given = Buffer.from(signature.slice('sha256='.length), 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Any HTTP endpoint: JSON, signed with a shared secret so the receiver can trust it. */
export const webhookProvider: ChatProvider<WebhookSettings, 'webhook'> = {
  name: 'webhook',
  displayName: 'Webhook (signed JSON)',
  settingsSchema: webhookSettingsSchema,
  fields: {
    webhookUrl: webhookUrlField('Any HTTP(S) endpoint; receives the signed JSON notification'),
    secret: secretField('Signing secret', 'At least 16 characters; signs X-Portpressure-Signature (HMAC-SHA256 of "timestamp.body")'),
  },
  build(notification, settings, options = {}) {
    const payload: WebhookPayload = {
      version: WEBHOOK_PAYLOAD_VERSION,
      text: renderText(notification, options),
      notification,
    };
    const body = JSON.stringify(payload);
    const timestamp = String(Math.floor((options.now ?? new Date()).getTime() / 1000));
    return {
      url: settings.webhookUrl,
      method: 'POST',
      headers: {
        ...JSON_HEADERS,
        [WEBHOOK_TIMESTAMP_HEADER]: timestamp,
        [WEBHOOK_SIGNATURE_HEADER]: signWebhookBody(settings.secret, timestamp, body),
        [WEBHOOK_EVENT_HEADER]: notification.kind,
        [WEBHOOK_ID_HEADER]: notification.id,
      },
      body,
    };
  },
  redact(settings) {
    return { webhookUrl: redactUrl(settings.webhookUrl), secret: REDACTED_SECRET };
  },
};
