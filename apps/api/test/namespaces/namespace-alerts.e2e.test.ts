import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { hostNamespacesSchema } from '@portpressure/protocol';
import { WEBHOOK_PAYLOAD_VERSION } from '../../src/notifications/providers/webhook.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../notifications/support/webhook-receiver.ts';
import { AlertsApi, FAST_ALERTS_ENV } from '../alerts/support/alerts-api.ts';
import { startApiHarness, type ApiHarness } from '../support/api-harness.ts';
import { fetcherFor } from '../support/users.ts';
import { holdNamespace, makePodLike, startStreamingAgent, type HeldNamespace, type PodLike } from '../support/namespaces.ts';
import { lacks } from '../../../../test/support/requirements.ts';
import { waitUntil } from '../../../../test/support/wait.ts';

/**
 * A pod-like namespace (an `unshare -n` process placed in a kubepods cgroup with a containerd
 * bundle naming its pod) runs its whole range toward one service; the real agent streams it, and a
 * pressure rule fires an incident for that host, namespace and tuple, whose message names the pod.
 */
describe.skipIf(lacks('namespace alerts end to end', 'root'))('an alert about a pod', () => {
  let harness: ApiHarness;
  let receiver: WebhookReceiver;
  let alerts: AlertsApi;
  let held: HeldNamespace;
  let pod: PodLike;
  let agent: Awaited<ReturnType<typeof startStreamingAgent>>;
  const podName = `cart-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    harness = await startApiHarness(FAST_ALERTS_ENV);
    alerts = new AlertsApi(fetcherFor(harness.api.url, await harness.login()));
    await alerts.replaceRules([]);
    const channel = await alerts.createWebhookChannel('On-call hook', receiver.url('/hook'), 'namespace-alert-secret-0123');
    await alerts.createRule({
      name: 'Pod ports',
      kind: 'pressure',
      severity: 'critical',
      scope: { hostId: null, labels: {} },
      channelIds: [channel.id],
      params: { threshold: 0.9, resolveMargin: 0.05, sustainSnapshots: 2 },
      repeatIntervalSeconds: 0,
    });

    held = await holdNamespace();
    await held.sysctl('ip_local_port_range=30000 30019', 'ip_local_reserved_ports=30019');
    pod = makePodLike(held.pid, { podName, podNamespace: 'shop', containerName: 'cart' });
    await held.driver.listen('127.0.0.1', 6000);
    await held.driver.connect('c', '127.0.0.1', 6000, { max: 19 });
    agent = await startStreamingAgent(harness);
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    pod?.remove();
    await held?.kill();
    await harness?.stop();
    await receiver?.close();
  });

  it('fires an incident for the pod, naming it, and leaves the host namespace alone', async () => {
    const inode = statSync(held.path).ino;
    const incident = await waitUntil(
      'an incident about the pod',
      async () => (await alerts.incidents('firing')).find((i) => i.namespace?.inode === inode),
      60_000,
      () => agent.agent.output(),
    );
    expect(incident.namespace?.label).toBe(`pod shop/${podName}`);
    expect(incident.host.id).toBe(agent.hostId);
    expect(incident.tuple).toEqual({ protocol: 'tcp', localAddress: '127.0.0.1', remoteAddress: '127.0.0.1', remotePort: 6000 });
    expect(incident.latest).toMatchObject({ pressure: 1, used: 19, usable: 19 });
    expect(incident.groupKey).toContain(`ns:${inode}`);
    // The host's own namespace is nowhere near the threshold: no incident without a namespace.
    expect((await alerts.incidents('firing')).filter((i) => i.host.id === agent.hostId && !i.namespace)).toEqual([]);

    const res = await harness.authedFetch(`/api/hosts/${agent.hostId}/namespaces`);
    const listed = hostNamespacesSchema.parse(await res.json()).namespaces.find((n) => n.inode === inode);
    expect(listed).toMatchObject({
      label: `pod shop/${podName}`,
      pod: { name: podName, namespace: 'shop', uid: pod.podUid },
      containers: [{ runtime: 'containerd', id: pod.containerId, name: 'cart' }],
    });

    const message = await waitUntil('the firing message', () =>
      receiver.requests
        .filter((r) => r.path === '/hook')
        .map((r) => JSON.parse(r.body) as { version: number; text: string; notification: { groupKey: string; namespace?: unknown } })
        .find((b) => b.notification.groupKey === incident.groupKey),
    );
    expect(message.version).toBe(WEBHOOK_PAYLOAD_VERSION);
    expect(message.notification.namespace).toEqual({ inode, label: `pod shop/${podName}` });
    expect(message.text).toContain(`pod shop/${podName} on `);
    expect(message.text).toContain('Namespace: pod shop/');
  });
});
