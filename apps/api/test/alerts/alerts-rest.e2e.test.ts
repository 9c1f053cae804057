import { alertRuleKindListSchema, channelTypeListSchema } from '@portpressure/protocol';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { providerRegistry } from '../../src/notifications/providers/index.ts';
import { verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER } from '../../src/notifications/providers/webhook.ts';
import { useAlertsSuite } from './support/alert-scenario.ts';
import { ApiCallFailed } from './support/alerts-api.ts';

const SECRET = 'rest-test-shared-secret-0123456789';

/** The error an API call failed with, for asserting status and code. */
async function failure(call: Promise<unknown>): Promise<ApiCallFailed> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ApiCallFailed)) throw new Error(`expected an API error, got ${String(error)}`);
  return error;
}

const codeOf = (e: ApiCallFailed): string => (typeof e.body === 'string' ? e.body : e.body.code);
const messageOf = (e: ApiCallFailed): string => (typeof e.body === 'string' ? e.body : e.body.message);

describe('alerting REST API', () => {
  const { h, alerts, receiver, startAgain } = useAlertsSuite();

  describe('rules', () => {
    it('starts with the default rules: warning at 2/3, critical at 90 %, a 30-minute forecast, offline after 5 minutes', async () => {
      const rules = await alerts.rules();
      expect(rules.map((r) => [r.kind, r.severity, r.enabled])).toEqual([
        ['pressure', 'warning', true],
        ['pressure', 'critical', true],
        ['forecast', 'critical', true],
        ['offline', 'warning', true],
      ]);
      expect(rules[0]?.params).toMatchObject({ threshold: 2 / 3 });
      expect(rules[1]?.params).toMatchObject({ threshold: 0.9 });
      expect(rules[2]?.params).toMatchObject({ withinSeconds: 1800 });
      expect(rules[3]?.params).toEqual({ afterSeconds: 300 });
    });

    it('creates, reads back, replaces and deletes a rule', async () => {
      const created = await alerts.createRule({
        name: 'Payments DB tuples',
        kind: 'pressure',
        severity: 'critical',
        scope: { hostId: null, labels: { team: 'payments' } },
        params: { threshold: 0.8 },
      });
      // Defaults filled in by the protocol schema.
      expect(created).toMatchObject({
        params: { threshold: 0.8, resolveMargin: 0.05, sustainSnapshots: 3 },
        condition: 'pressure ≥ 80 % for 3 snapshots (resolves below 75 %)',
        repeatIntervalSeconds: 14_400,
        channelIds: [],
      });
      if (created.kind !== 'pressure') throw new Error('created a pressure rule');
      const replaced = await alerts.updateRule(created.id, {
        ...created,
        name: 'Payments DB',
        params: { threshold: 0.85, resolveMargin: 0.1, sustainSnapshots: 2 },
      });
      expect(replaced).toMatchObject({ id: created.id, name: 'Payments DB', params: { threshold: 0.85 } });
      await alerts.deleteRule(created.id);
      expect((await failure(alerts.call('GET', `/api/alerts/rules/${created.id}`, null))).status).toBe(404);
    });

    it('refuses an invalid rule with a message naming the problem', async () => {
      const tooHigh = await failure(alerts.createRule({ name: 'x', kind: 'pressure', severity: 'warning', params: { threshold: 1.5 } }));
      expect([tooHigh.status, codeOf(tooHigh)]).toEqual([400, 'INVALID_ALERT_RULE']);
      expect(messageOf(tooHigh)).toContain('threshold');
      const margin = await failure(
        alerts.createRule({ name: 'x', kind: 'pressure', severity: 'warning', params: { threshold: 0.1, resolveMargin: 0.2 } }),
      );
      expect(messageOf(margin)).toContain('resolveMargin');
      const offline = { name: 'x', kind: 'offline', severity: 'warning', params: { afterSeconds: 60 } } as const;
      const nowhere = '00000000-0000-4000-8000-000000000000';
      const channel = await failure(alerts.createRule({ ...offline, channelIds: [nowhere] }));
      expect(messageOf(channel)).toContain('no channel');
      const host = await failure(alerts.createRule({ ...offline, scope: { hostId: nowhere, labels: {} } }));
      expect(messageOf(host)).toContain('no host');
    });

    it('lists every rule kind with its form, and refuses a kind it does not have', async () => {
      const { kinds } = await alerts.call('GET', '/api/alerts/rule-kinds', alertRuleKindListSchema);
      expect(kinds.map((k) => k.kind)).toEqual(['pressure', 'forecast', 'offline', 'conntrack', 'snat', 'egress']);
      expect(kinds[0]?.fields.map((f) => [f.key, f.unit])).toEqual([
        ['threshold', 'percent'],
        ['resolveMargin', 'percent'],
        ['sustainSnapshots', 'count'],
      ]);
      const unknown = await failure(alerts.createRule({ name: 'x', kind: 'latency', severity: 'warning', params: {} }));
      expect([unknown.status, codeOf(unknown)]).toEqual([400, 'INVALID_ALERT_RULE']);
      expect(messageOf(unknown)).toContain('unknown rule kind "latency"');
      expect((await alerts.rules()).map((r) => r.condition)).toContain('pressure ≥ 90 % for 3 snapshots (resolves below 85 %)');
    });

    it('creates the defaults only once: deleted defaults stay deleted after a restart', async () => {
      for (const rule of await alerts.rules()) await alerts.deleteRule(rule.id);
      await h.api.close();
      await startAgain();
      expect(await alerts.rules()).toEqual([]);
    });
  });

  describe('channels', () => {
    let channelId: string;

    it('lists every provider with the settings its form needs', async () => {
      const { types } = await alerts.call('GET', '/api/alerts/channel-types', channelTypeListSchema);
      // every registered provider, in the registry's order (its unit spec names them)
      expect(types.map((t) => t.type)).toEqual(providerRegistry.list().map((p) => p.name));
      expect(types.find((t) => t.type === 'webhook')?.fields.map((f) => [f.key, f.secret])).toEqual([
        ['webhookUrl', true],
        ['secret', true],
      ]);
    });

    it('stores a channel and only ever returns its webhook URL and secret masked', async () => {
      const created = await alerts.createWebhookChannel('Ops hook', receiver.url('/hooks/SECRETPATH?token=SECRETQUERY'), SECRET);
      channelId = created.id;
      expect(created.settings).toEqual({ webhookUrl: `${receiver.origin}/***`, secret: '***' });
      const listed = JSON.stringify(await alerts.channels());
      expect(listed).not.toContain('SECRETPATH');
      expect(listed).not.toContain('SECRETQUERY');
      expect(listed).not.toContain(SECRET);
    });

    it('keeps the stored secrets when an edit sends the masked values back', async () => {
      const [current] = await alerts.channels();
      if (current === undefined) throw new Error('no channel');
      const renamed = await alerts.updateChannel(current.id, { name: 'Ops hook (renamed)', type: 'webhook', settings: current.settings });
      expect(renamed.name).toBe('Ops hook (renamed)');
      const delivery = await alerts.sendTest(current.id);
      expect(delivery).toMatchObject({ kind: 'test', status: 'delivered', attempts: 1 });
      const received = receiver.requests.at(-1);
      expect(received?.path).toBe('/hooks/SECRETPATH?token=SECRETQUERY');
      const timestamp = z.string().parse(received?.headers[WEBHOOK_TIMESTAMP_HEADER]);
      const signature = z.string().parse(received?.headers[WEBHOOK_SIGNATURE_HEADER]);
      expect(verifyWebhookSignature(SECRET, timestamp, received?.body ?? '', signature, 300)).toBe(true);
    });

    it("reports a failing test send with the receiver's status, never its body nor the URL's secret parts", async () => {
      const broken = await alerts.createChannel({
        name: 'Broken',
        type: 'slack',
        settings: { webhookUrl: receiver.url('/services/SECRETPATH2') },
      });
      receiver.enqueue({ status: 404, body: 'no_service' });
      const delivery = await alerts.sendTest(broken.id);
      expect(delivery).toMatchObject({ status: 'failed', attempts: 1 });
      expect(delivery.lastError).toContain('HTTP 404');
      expect(delivery.lastError).not.toContain('no_service');
      expect(JSON.stringify(delivery)).not.toContain('SECRETPATH2');
      const log = await alerts.deliveries(`?channelId=${broken.id}`);
      expect(log.map((d) => d.id)).toEqual([delivery.id]);
    });

    it('refuses settings that do not fit the provider, naming the field', async () => {
      const bad = await failure(
        alerts.createChannel({ name: 'x', type: 'webhook', settings: { webhookUrl: 'ftp://example.com/x', secret: 'short' } }),
      );
      expect([bad.status, codeOf(bad)]).toEqual([400, 'INVALID_ALERT_CHANNEL']);
      expect(messageOf(bad)).toContain('webhookUrl');
      expect(messageOf(bad)).toContain('secret');
      expect(messageOf(bad)).not.toContain('ftp://example.com/x');
    });

    it('deletes a channel with its delivery log', async () => {
      await alerts.call('DELETE', `/api/alerts/channels/${channelId}`, null);
      expect((await failure(alerts.call('GET', `/api/alerts/channels/${channelId}`, null))).status).toBe(404);
      expect(await alerts.deliveries(`?channelId=${channelId}`)).toEqual([]);
    });
  });

  it('answers 401 to every alerting endpoint without a session', async () => {
    for (const path of [
      '/api/alerts/rules',
      '/api/alerts/rule-kinds',
      '/api/alerts/channels',
      '/api/alerts/channel-types',
      '/api/alerts/incidents',
      '/api/alerts/deliveries',
    ]) {
      const res = await fetch(`${h.api.url}${path}`);
      expect(res.status, path).toBe(401);
    }
  });

  it('refuses malformed list queries', async () => {
    const e = await failure(alerts.call('GET', '/api/alerts/incidents?status=burning', null));
    expect([e.status, codeOf(e)]).toEqual([400, 'INVALID_ALERT_QUERY']);
  });
});
