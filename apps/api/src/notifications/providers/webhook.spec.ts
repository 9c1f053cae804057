import { describe, expect, it } from 'vitest';
import { aFiringNotification, FIXED_NOW } from '../../../test/notifications/support/notification-factory.ts';
import { signWebhookBody, verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER, webhookProvider } from './webhook.ts';

const SECRET = 'a-shared-secret-of-some-length';
const body = '{"hello":"world"}';
const nowMs = Date.parse('2026-05-01T10:00:00Z');
const timestamp = String(nowMs / 1000);

describe('verifyWebhookSignature', () => {
  const signature = signWebhookBody(SECRET, timestamp, body);

  it('accepts a fresh signature made with the shared secret', () => {
    expect(verifyWebhookSignature(SECRET, timestamp, body, signature, 300, nowMs)).toBe(true);
  });

  it('accepts clock skew up to the tolerance in either direction, and no further', () => {
    expect(verifyWebhookSignature(SECRET, timestamp, body, signature, 300, nowMs + 300_000)).toBe(true);
    expect(verifyWebhookSignature(SECRET, timestamp, body, signature, 300, nowMs - 300_000)).toBe(true);
    expect(verifyWebhookSignature(SECRET, timestamp, body, signature, 300, nowMs + 300_001)).toBe(false);
    expect(verifyWebhookSignature(SECRET, timestamp, body, signature, 300, nowMs - 300_001)).toBe(false);
  });

  it('rejects a signature over a different timestamp, so the timestamp cannot be swapped for a fresh one', () => {
    const later = String(Number(timestamp) + 60);
    expect(verifyWebhookSignature(SECRET, later, body, signature, 300, nowMs)).toBe(false);
  });

  it('rejects a wrong secret, an altered body and malformed signatures', () => {
    expect(verifyWebhookSignature('another-secret-entirely', timestamp, body, signature, 300, nowMs)).toBe(false);
    expect(verifyWebhookSignature(SECRET, timestamp, `${body} `, signature, 300, nowMs)).toBe(false);
    for (const bad of ['', signature.slice(7), `sha1=${signature.slice(7)}`, `${signature}00`, 'sha256=zz']) {
      expect(verifyWebhookSignature(SECRET, timestamp, body, bad, 300, nowMs)).toBe(false);
    }
  });

  it('rejects a timestamp that is not whole seconds', () => {
    for (const bad of ['', '17e8', '1777629600.5', ' 1777629600', 'NaN']) {
      expect(verifyWebhookSignature(SECRET, bad, body, signBody(bad), 1e12, nowMs)).toBe(false);
    }
  });
});

function signBody(ts: string): string {
  return signWebhookBody(SECRET, ts, body);
}

describe('webhookProvider.build', () => {
  it('signs exactly the body it sends, with the build time as timestamp', () => {
    const request = webhookProvider.build(
      aFiringNotification(),
      { webhookUrl: 'https://h.example.com/in', secret: SECRET },
      {
        now: FIXED_NOW,
      },
    );
    const ts = request.headers[WEBHOOK_TIMESTAMP_HEADER] ?? '';
    expect(ts).toBe(String(FIXED_NOW.getTime() / 1000));
    expect(request.headers[WEBHOOK_SIGNATURE_HEADER]).toBe(signWebhookBody(SECRET, ts, request.body));
  });
});
