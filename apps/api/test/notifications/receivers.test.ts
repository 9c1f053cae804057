import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { EgressProxyConfig } from '../../src/config/team-config.ts';
import { NO_EGRESS_PROXY } from '../../src/notifications/egress-proxy.ts';
import type { DeliveryOutcome } from '../../src/notifications/http-sender.ts';
import type { AlertNotification } from '../../src/notifications/notification.ts';
import { providerRegistry, type ChannelConfig } from '../../src/notifications/providers/index.ts';
import { startForwardProxy, type ForwardProxy } from './support/forward-proxy.ts';
import { aFiringNotification, aResolvedNotification, FIXED_NOW } from './support/notification-factory.ts';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.ts';
import { LOOPBACK, startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from './support/webhook-receiver.ts';

// Each on-call receiver against real local servers: an HTTP receiver standing in for PagerDuty,
// Opsgenie and an Alertmanager webhook receiver, a real SMTP server with STARTTLS, and a real
// forward proxy. The shapes below are the services' documented formats.

const ROUTING_KEY = 'R0UTINGKEYSECRET0123456789abcdef';
const GENIE_KEY = 'genie-key-SECRET-0123456789';

/** PagerDuty Events API v2 (developer.pagerduty.com, "Send an Alert Event"). */
const pagerdutyTrigger = z.strictObject({
  routing_key: z.string(),
  event_action: z.literal('trigger'),
  dedup_key: z.string().max(255),
  client: z.string(),
  client_url: z.url(),
  links: z.array(z.strictObject({ href: z.url(), text: z.string() })),
  payload: z.strictObject({
    summary: z.string().min(1).max(1024),
    source: z.string().min(1),
    severity: z.enum(['critical', 'error', 'warning', 'info']),
    timestamp: z.iso.datetime({ offset: true }),
    component: z.string().optional(),
    group: z.string().optional(),
    class: z.string().optional(),
    custom_details: z.record(z.string(), z.string()),
  }),
});
const pagerdutyResolve = z.strictObject({ routing_key: z.string(), event_action: z.literal('resolve'), dedup_key: z.string().max(255) });

/** Opsgenie Alert API: create (POST /v2/alerts) and close by alias. */
const opsgenieCreate = z.strictObject({
  message: z.string().min(1).max(130),
  alias: z.string().max(512),
  description: z.string().max(15_000),
  details: z.record(z.string(), z.string()),
  priority: z.enum(['P1', 'P2', 'P3', 'P4', 'P5']),
  source: z.string().max(100),
  entity: z.string().max(512),
  tags: z.array(z.string().max(50)).max(20),
});
const opsgenieClose = z.strictObject({ source: z.string(), note: z.string().max(25_000) });

/** Alertmanager webhook payload, version 4 (prometheus.io, "webhook_config"). */
const alertmanagerAlert = z.strictObject({
  status: z.enum(['firing', 'resolved']),
  labels: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string()),
  annotations: z.record(z.string(), z.string()),
  startsAt: z.iso.datetime({ offset: true }),
  endsAt: z.string(),
  generatorURL: z.url(),
  fingerprint: z.string().regex(/^[0-9a-f]{16}$/),
});
const alertmanagerPayload = z.strictObject({
  version: z.literal('4'),
  groupKey: z.string(),
  truncatedAlerts: z.number().int().min(0),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string(),
  groupLabels: z.record(z.string(), z.string()),
  commonLabels: z.record(z.string(), z.string()),
  commonAnnotations: z.record(z.string(), z.string()),
  externalURL: z.url(),
  alerts: z.array(alertmanagerAlert).min(1),
});

let receiver: WebhookReceiver;
let smtp: SmtpSink;
let proxy: ForwardProxy;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
  smtp = await startSmtpSink({ username: 'alerts@example.com', password: 'smtp-password-SECRET' });
  proxy = await startForwardProxy();
});
afterAll(async () => {
  await receiver?.close();
  await smtp?.close();
  await proxy?.close();
});
beforeEach(() => {
  receiver.requests.length = 0;
  smtp.messages.length = 0;
  proxy.seen.length = 0;
});

function send(
  config: ChannelConfig,
  notification: AlertNotification,
  egress: EgressProxyConfig = NO_EGRESS_PROXY,
): Promise<DeliveryOutcome> {
  return providerRegistry.deliver(config, notification, { now: FIXED_NOW, egress: { timeoutMs: 5_000, proxy: egress, allow: LOOPBACK } });
}

const body = (r: ReceivedRequest | undefined): unknown => JSON.parse(r?.body ?? 'null');

function emailConfig(overrides: Record<string, unknown> = {}): ChannelConfig {
  return {
    type: 'email',
    settings: {
      host: '127.0.0.1',
      port: smtp.port,
      security: 'starttls',
      username: 'alerts@example.com',
      password: 'smtp-password-SECRET',
      from: 'portpressure@example.com',
      to: 'oncall@example.com, sre@example.com',
      allowSelfSigned: true,
      ...overrides,
    },
  } as ChannelConfig;
}

describe('PagerDuty (Events API v2)', () => {
  const config: ChannelConfig = { type: 'pagerduty', settings: { routingKey: ROUTING_KEY, eventsUrl: '' } };

  it('triggers on firing and resolves with the same dedup key', async () => {
    config.settings = { routingKey: ROUTING_KEY, eventsUrl: receiver.url('/v2/enqueue') };
    receiver.enqueue({ status: 202, body: '{"status":"success"}' }, { status: 202, body: '{"status":"success"}' });
    expect(await send(config, aFiringNotification())).toMatchObject({ ok: true, status: 202 });
    expect(await send(config, aResolvedNotification())).toMatchObject({ ok: true, status: 202 });
    const [trigger, resolve] = receiver.requests;
    expect(trigger?.path).toBe('/v2/enqueue');
    const t = pagerdutyTrigger.parse(body(trigger));
    const r = pagerdutyResolve.parse(body(resolve));
    expect(t.routing_key).toBe(ROUTING_KEY);
    expect(t.payload).toMatchObject({ severity: 'critical', source: 'web-1.prod', component: '10.0.0.5:5432', class: 'pressure' });
    expect(t.payload.summary).toContain('Port pressure critical');
    expect(r.dedup_key).toBe(t.dedup_key);
    // another incident of the same rule, host and tuple (a later start) gets a key of its own
    await send(config, aFiringNotification({ startedAt: '2026-05-02T10:00:00.000Z' }));
    expect(pagerdutyTrigger.parse(body(receiver.requests[2])).dedup_key).not.toBe(t.dedup_key);
  });

  it('refuses a malformed routing key and hides the key when redacted', () => {
    expect(() => providerRegistry.parseSettings('pagerduty', { routingKey: 'x' })).toThrow(/routingKey/);
    const redacted = JSON.stringify(providerRegistry.redact({ type: 'pagerduty', settings: { routingKey: ROUTING_KEY } }));
    expect(redacted).not.toContain('SECRET');
    expect(redacted).toContain('https://events.pagerduty.com/v2/enqueue');
  });
});

describe('Opsgenie', () => {
  it('creates an alert under the incident alias and closes it by that alias', async () => {
    const config: ChannelConfig = { type: 'opsgenie', settings: { apiKey: GENIE_KEY, apiUrl: receiver.origin, tags: 'db, payments' } };
    receiver.enqueue({ status: 202, body: '{"result":"Request will be processed"}' }, { status: 202, body: '{}' });
    expect(await send(config, aFiringNotification())).toMatchObject({ ok: true });
    expect(await send(config, aResolvedNotification())).toMatchObject({ ok: true });
    const [create, close] = receiver.requests;
    expect(create?.path).toBe('/v2/alerts');
    expect(create?.headers.authorization).toBe(`GenieKey ${GENIE_KEY}`);
    const c = opsgenieCreate.parse(body(create));
    expect(c).toMatchObject({ priority: 'P1', entity: 'web-1.prod', source: 'Portpressure' });
    expect(c.tags).toEqual(['portpressure', 'critical', 'pressure', 'db', 'payments']);
    expect(close?.path).toBe(`/v2/alerts/${encodeURIComponent(c.alias)}/close?identifierType=alias`);
    expect(close?.headers.authorization).toBe(`GenieKey ${GENIE_KEY}`);
    opsgenieClose.parse(body(close));
    expect(JSON.stringify(providerRegistry.redact(config))).not.toContain('SECRET');
  });
});

describe('Alertmanager-format webhook', () => {
  it('sends firing and resolved payloads that receivers of Alertmanager accept, paired by fingerprint', async () => {
    const config: ChannelConfig = {
      type: 'alertmanager',
      settings: { webhookUrl: receiver.url('/am/SECRETPATH'), bearerToken: 'bearer-SECRET' },
    };
    expect(await send(config, aFiringNotification())).toMatchObject({ ok: true });
    expect(await send(config, aResolvedNotification())).toMatchObject({ ok: true });
    const [firing, resolved] = receiver.requests.map((r) => alertmanagerPayload.parse(body(r)));
    expect(receiver.requests[0]?.headers.authorization).toBe('Bearer bearer-SECRET');
    expect(firing?.status).toBe('firing');
    expect(firing?.alerts[0]).toMatchObject({
      status: 'firing',
      endsAt: '0001-01-01T00:00:00Z',
      labels: { alertname: 'Port pressure critical', severity: 'critical', instance: 'web-1.prod', remote_port: '5432', label_env: 'prod' },
    });
    expect(resolved?.status).toBe('resolved');
    expect(resolved?.alerts[0]).toMatchObject({ status: 'resolved', endsAt: '2026-05-01T11:02:05.000Z' });
    expect(resolved?.alerts[0]?.fingerprint).toBe(firing?.alerts[0]?.fingerprint);
    expect(resolved?.groupKey).toBe(firing?.groupKey);
    const redacted = JSON.stringify(providerRegistry.redact(config));
    expect(redacted).not.toContain('SECRET');
  });
});

describe('e-mail over SMTP', () => {
  it('delivers plain text and HTML over STARTTLS with the credentials', async () => {
    expect(await send(emailConfig(), aFiringNotification())).toMatchObject({ ok: true });
    expect(smtp.messages).toHaveLength(1);
    const mail = smtp.messages[0]!;
    expect(mail).toMatchObject({
      from: 'portpressure@example.com',
      to: ['oncall@example.com', 'sre@example.com'],
      secure: true,
      user: 'alerts@example.com',
    });
    expect(mail.raw).toMatch(/^Subject: \[Portpressure\] .*Port pressure critical/m);
    expect(mail.raw).toContain('Content-Type: text/plain');
    expect(mail.raw).toContain('Content-Type: text/html');
    expect(mail.raw).toMatch(/^X-Portpressure-Notification-Id: ntf-0001$/im);
  });

  it('escapes notification text in the HTML part', async () => {
    await send(emailConfig(), aFiringNotification({ ruleName: '<script>alert(1)</script>' }));
    // the HTML part, quoted-printable soft line breaks joined
    const html = smtp.messages[0]!.raw.split(/Content-Type: text\/html/i)[1]!
      .replace(/=\r?\n/g, '')
      .replace(/=3D/g, '=');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
  });

  it('refuses a self-signed certificate unless allowed, without retrying', async () => {
    const outcome = await send(emailConfig({ allowSelfSigned: false }), aFiringNotification());
    expect(outcome).toMatchObject({ ok: false, retryable: false });
    expect(smtp.messages).toHaveLength(0);
  });

  it('retries a 4xx reply, fails at once on 5xx and on wrong credentials', async () => {
    smtp.refuseNext({ code: 451, message: 'try later' }, { code: 550, message: 'mailbox unavailable' });
    expect(await send(emailConfig(), aFiringNotification())).toMatchObject({ ok: false, retryable: true, status: 451 });
    expect(await send(emailConfig(), aFiringNotification())).toMatchObject({ ok: false, retryable: false, status: 550 });
    const wrong = await send(emailConfig({ password: 'wrong-password' }), aFiringNotification());
    expect(wrong).toMatchObject({ ok: false, retryable: false });
    expect(JSON.stringify(wrong)).not.toContain('wrong-password');
    expect(smtp.messages).toHaveLength(0);
  });

  it('never shows the SMTP password', () => {
    expect(JSON.stringify(providerRegistry.redact(emailConfig()))).not.toContain('SECRET');
  });
});

describe('egress proxy', () => {
  it('sends webhooks through HTTP_PROXY, and directly for NO_PROXY hosts', async () => {
    const config: ChannelConfig = { type: 'pagerduty', settings: { routingKey: ROUTING_KEY, eventsUrl: receiver.url('/v2/enqueue') } };
    const viaProxy = { httpProxy: proxy.url, httpsProxy: proxy.url, noProxy: undefined };
    expect(await send(config, aFiringNotification(), viaProxy)).toMatchObject({ ok: true });
    expect(receiver.requests).toHaveLength(1);
    // undici tunnels every proxied request with CONNECT, plain http too
    expect(proxy.seen).toEqual([{ method: 'CONNECT', target: receiver.origin.replace('http://', '') }]);

    expect(await send(config, aFiringNotification(), { ...viaProxy, noProxy: 'example.com, 127.0.0.1' })).toMatchObject({ ok: true });
    expect(receiver.requests).toHaveLength(2);
    expect(proxy.seen).toHaveLength(1);
  });

  it('tunnels SMTP through the proxy with CONNECT, STARTTLS inside', async () => {
    const viaProxy = { httpProxy: undefined, httpsProxy: proxy.url, noProxy: 'example.com' };
    expect(await send(emailConfig(), aFiringNotification(), viaProxy)).toMatchObject({ ok: true });
    expect(proxy.seen).toEqual([{ method: 'CONNECT', target: `127.0.0.1:${smtp.port}` }]);
    expect(smtp.messages[0]?.secure).toBe(true);
  });

  it('reports a proxy that refuses the tunnel as a retryable failure', async () => {
    const config: ChannelConfig = { type: 'alertmanager', settings: { webhookUrl: 'http://192.0.2.1/never' } };
    const outcome = await send(config, aFiringNotification(), { httpProxy: proxy.url, httpsProxy: undefined, noProxy: undefined });
    // the test proxy relays only to loopback: it refuses the CONNECT, so nothing leaves the machine
    expect(outcome).toMatchObject({ ok: false, retryable: true });
    expect(proxy.seen).toEqual([{ method: 'CONNECT', target: '192.0.2.1:80' }]);
  });
});
