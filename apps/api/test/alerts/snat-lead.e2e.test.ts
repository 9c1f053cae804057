import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { hostDiagnosticsSchema, type SnatPool } from '@portpressure/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inNamespace, MASQUERADE_TO_SERVER, routeThrough, TestNamespace } from '../../../agent/test/netns/netns.ts';
import { lacks } from '../../../../test/support/requirements.ts';
import { waitUntil } from '../../../../test/support/wait.ts';
import { webhookPayloadSchema } from '../../src/notifications/providers/webhook.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../notifications/support/webhook-receiver.ts';
import { rankedFleet, startApiHarness, TEST_ENROLLMENT_TOKEN, type ApiHarness } from '../support/api-harness.ts';
import { NetnsLab, type LabProcess } from './lab/netns-lab.ts';
import { withoutDefaultRules } from './support/alert-scenario.ts';
import { AlertsApi, FAST_ALERTS_ENV } from './support/alerts-api.ts';

/**
 * Issue #15, "what it must show" 2, end to end: client ── router ── server namespaces, the router
 * masquerading TCP toward the server to the 50 ports 40000-40049. The real agent runs in the
 * router (joined to the root namespace by the lab's veth, where the real API listens) and reports
 * every second. A snat rule at 80 % must fire, and its message reach the receiver, while every
 * one of the client's connections still succeeds: 42 of 50 translated ports in use. Needs root.
 */
describe.skipIf(lacks('SNAT alert from the real agent in a masquerading router', 'root'))(
  'SNAT alert before the NAT range runs out',
  () => {
    let router: NetnsLab;
    let client: TestNamespace;
    let server: TestNamespace;
    let h: ApiHarness;
    let receiver: WebhookReceiver;
    let stateDir: string;
    let agent: LabProcess | undefined;

    beforeAll(async () => {
      router = await NetnsLab.create([32768, 60999]);
      client = await TestNamespace.create();
      server = await TestNamespace.create();
      await routeThrough(client.name, router.name, server.name, '10.78');
      // Only traffic toward the server is translated: the agent's own link to the API is not.
      await inNamespace(router.name, 'iptables', MASQUERADE_TO_SERVER);
      h = await startApiHarness({ ...FAST_ALERTS_ENV, HOST: router.hostAddress, PORTPRESSURE_INTERVAL_SECONDS: '1' });
      receiver = await startWebhookReceiver();
      stateDir = await mkdtemp(path.join(os.tmpdir(), 'pp-snat-agent-'));
    }, 120_000);

    afterAll(async () => {
      await router?.destroy();
      await Promise.all([client?.destroy(), server?.destroy()]);
      await h?.stop();
      await receiver?.close();
      if (stateDir) await rm(stateDir, { recursive: true, force: true });
    });

    it('fires the snat rule at 42 of 50 translated ports while every connection still succeeds', async () => {
      const alerts = new AlertsApi((p, init) => h.authedFetch(p, init));
      await withoutDefaultRules(alerts);
      const channel = await alerts.createWebhookChannel('on-call', receiver.url('/on-call'), 'snat-lead-shared-secret-0123');
      const rule = await alerts.createRule({
        name: 'SNAT ports',
        kind: 'snat',
        severity: 'critical',
        scope: { hostId: null, labels: {} },
        channelIds: [channel.id],
        params: { threshold: 0.8, sustainSnapshots: 1 },
      });
      const listener = await server.driver();
      await listener.listen('10.78.2.2', 5000);
      const clients = await client.driver();
      expect((await clients.connect('first', '10.78.2.2', 5000, { max: 30 })).succeeded).toBe(30);

      agent = router.spawnAgent(h.api.url, stateDir, TEST_ENROLLMENT_TOKEN, 1);
      const hostId = await waitUntil('the router host', async () => {
        const hosts = (await rankedFleet(h)).hosts;
        return hosts[0]?.id;
      });
      const pool = async (): Promise<SnatPool | undefined> => {
        const d = hostDiagnosticsSchema.parse(await (await h.authedFetch(`/api/hosts/${hostId}/diagnostics`)).json());
        return d.diagnostics?.snat?.pools.find((p) => p.remoteAddress === '10.78.2.2' && p.remotePort === 5000);
      };
      expect(await waitUntil('30 translated ports reported', async () => ((await pool())?.portsInUse === 30 ? pool() : undefined))).toEqual(
        {
          translatedAddress: '10.78.2.1',
          remoteAddress: '10.78.2.2',
          remotePort: 5000,
          portsInUse: 30,
          capacity: 50,
          pressure: 0.6,
        },
      );
      expect((await alerts.incidents('firing')).filter((i) => i.ruleId === rule.id)).toEqual([]);

      // 42 of 50: every connect still succeeds, and the alert is on its way.
      expect((await clients.connect('more', '10.78.2.2', 5000, { max: 12 })).succeeded).toBe(12);
      const incident = await waitUntil('the snat incident', async () =>
        (await alerts.incidents('firing')).find((i) => i.ruleId === rule.id),
      );
      expect(incident.tuple).toEqual({ protocol: 'tcp', localAddress: '10.78.2.1', remoteAddress: '10.78.2.2', remotePort: 5000 });
      expect(incident.latest).toMatchObject({ used: 42, usable: 50, pressure: 0.84 });
      const delivered = await waitUntil('the firing message', () => receiver.requests.find((r) => r.path === '/on-call'));
      expect(webhookPayloadSchema.parse(JSON.parse(delivered.body)).text).toContain(
        'is running out of translated source ports (42 of 50 ports, 84%).',
      );
      expect(agent.child.exitCode).toBeNull();
    }, 180_000);
  },
);
