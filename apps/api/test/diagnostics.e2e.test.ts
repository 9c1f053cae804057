import { hostDiagnosticsSchema, type Diagnostics, type HostDiagnostics, type PortReport } from '@portpressure/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aDiagnostics } from '../../../packages/protocol/src/test-factories.ts';
import { waitUntil } from '../../../test/support/wait.ts';
import { evaluated, withoutDefaultRules } from './alerts/support/alert-scenario.ts';
import { AlertsApi, FAST_ALERTS_ENV } from './alerts/support/alerts-api.ts';
import { startWebhookReceiver, type WebhookReceiver } from './notifications/support/webhook-receiver.ts';
import { connectEnrolled, isAck, isError, startApiHarness, type AgentClient, type ApiHarness } from './support/api-harness.ts';
import { aHello, aReport, aSnapshot } from './support/factories.ts';
import { storedSnapshots } from './support/stored-history.ts';

/** A report of `aReport()` carrying `diagnostics`. */
function diagnosed(diagnostics: Diagnostics): PortReport {
  return { ...aReport({ used: 50 }), diagnostics };
}

/** Diagnostics whose one SNAT pool has `portsInUse` of 100 translated ports in use. */
function snatAt(portsInUse: number, kernel: Diagnostics['kernel'] = []): Diagnostics {
  const base = aDiagnostics();
  return aDiagnostics({
    snat: { ...base.snat!, pools: [{ ...base.snat!.pools[0]!, portsInUse, capacity: 100, pressure: portsInUse / 100 }] },
    kernel,
  });
}

describe('diagnostics through ingest, REST and alerts', () => {
  let h: ApiHarness;
  let alerts: AlertsApi;
  let receiver: WebhookReceiver;

  const diagnosticsOf = async (hostId: string): Promise<HostDiagnostics> => {
    const res = await h.authedFetch(`/api/hosts/${hostId}/diagnostics`);
    expect(res.status).toBe(200);
    return hostDiagnosticsSchema.parse(await res.json());
  };

  /** Sends a snapshot and waits for its ack (sent after the commit). */
  const store = async (agent: AgentClient, seq: number, report: PortReport, takenAt = new Date()): Promise<void> => {
    agent.send(aSnapshot(seq, report, takenAt));
    await agent.waitFor(isAck(seq));
  };
  /** Stores a snapshot and waits for the rules to have run on it. */
  const send = async (agent: AgentClient, hostId: string, seq: number, report: PortReport): Promise<void> => {
    await store(agent, seq, report);
    await evaluated(h, hostId, seq);
  };

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    h = await startApiHarness(FAST_ALERTS_ENV);
    alerts = new AlertsApi((path, init) => h.authedFetch(path, init));
    await withoutDefaultRules(alerts);
  });

  afterAll(async () => {
    await h?.stop();
    await receiver?.close();
  });

  it('answers the latest diagnostics a host sent; older or diagnostics-free snapshots do not replace them', async () => {
    const { agent, host } = await connectEnrolled(h.api.url, aHello('diagnosed-box'));
    expect(await diagnosticsOf(host.hostId)).toEqual({ hostId: host.hostId, seq: null, takenAt: null, diagnostics: null });

    const first = aDiagnostics();
    const at = Date.now();
    await store(agent, 1, diagnosed(first), new Date(at));
    expect(await diagnosticsOf(host.hostId)).toEqual({
      hostId: host.hostId,
      seq: 1,
      takenAt: new Date(at).toISOString(),
      diagnostics: first,
    });

    const second = snatAt(42);
    await store(agent, 2, diagnosed(second), new Date(at + 10_000));
    // a snapshot taken earlier arriving late, and one without diagnostics, leave seq 2's in place
    await store(agent, 3, diagnosed(snatAt(7)), new Date(at + 5_000));
    await store(agent, 4, aReport({ used: 50 }), new Date(at + 20_000));
    const latest = await diagnosticsOf(host.hostId);
    expect(latest.seq).toBe(2);
    expect(latest.diagnostics?.snat?.pools[0]?.portsInUse).toBe(42);
    agent.close();
  });

  it('answers 404 for an unknown host and 400 for a malformed id', async () => {
    expect((await h.authedFetch('/api/hosts/00000000-0000-4000-8000-000000000000/diagnostics')).status).toBe(404);
    expect((await h.authedFetch('/api/hosts/not-a-host/diagnostics')).status).toBe(400);
  });

  it('refuses a snapshot with bad diagnostics, naming the field, and changes nothing', async () => {
    const { agent, host } = await connectEnrolled(h.api.url, aHello('garbled-box'));
    await send(agent, host.hostId, 1, diagnosed(aDiagnostics()));
    const before = await diagnosticsOf(host.hostId);

    const good = aDiagnostics();
    const bad = {
      ...good,
      tuples: [{ ...good.tuples[0]!, processes: [{ ...good.tuples[0]!.processes![0]!, command: 'evil\u0000name' }] }],
    };
    agent.send(aSnapshot(2, diagnosed(bad)));
    const error = await agent.waitFor(isError);
    expect(error.code).toBe('INVALID_FRAME');
    expect(error.message).toContain('report.diagnostics.tuples.0.processes.0.command');
    expect(error.message).toContain('control characters');

    const overfull = snatAt(40);
    overfull.snat!.pools[0]!.pressure = 1.5;
    agent.send(aSnapshot(3, diagnosed(overfull)));
    await waitUntil('the second refusal', () => agent.messages.filter(isError).length === 2 || undefined);
    expect(agent.messages.filter(isError)[1]?.message).toContain('report.diagnostics.snat.pools.0.pressure');

    expect(await diagnosticsOf(host.hostId)).toEqual(before);
    expect((await storedSnapshots(h.db, host.hostId)).map((s) => s.seq)).toEqual([1]);
    // the connection still works: the next good snapshot is stored
    await send(agent, host.hostId, 4, diagnosed(snatAt(9)));
    expect((await diagnosticsOf(host.hostId)).seq).toBe(4);
    agent.close();
  });

  it('fires a snat rule when a pool passes its threshold, saying when the kernel is already recycling', async () => {
    const { agent, host } = await connectEnrolled(h.api.url, aHello('nat-gateway'));
    const channel = await alerts.createWebhookChannel('nat hook', receiver.url('/nat'), 'nat-test-shared-secret-0123');
    const rule = await alerts.createRule({
      name: 'SNAT ports',
      kind: 'snat',
      severity: 'critical',
      scope: { hostId: host.hostId, labels: {} },
      channelIds: [channel.id],
      params: { threshold: 0.8 },
    });
    expect(rule.condition).toBe('SNAT ports in use ≥ 80 % of the NAT range for 1 snapshot (resolves below 75 %)');

    await send(agent, host.hostId, 1, diagnosed(snatAt(70)));
    expect((await alerts.incidents('firing')).filter((i) => i.ruleId === rule.id)).toEqual([]);

    await send(
      agent,
      host.hostId,
      2,
      diagnosed(
        snatAt(85, [
          { name: 'TWRecycled', delta: 12 },
          { name: 'ActiveOpens', delta: 400 },
        ]),
      ),
    );
    const [incident] = (await alerts.incidents('firing')).filter((i) => i.ruleId === rule.id);
    expect(incident?.tuple).toEqual({ protocol: 'tcp', localAddress: '10.0.0.1', remoteAddress: '10.0.1.2', remotePort: 5000 });
    expect(incident?.latest).toMatchObject({ pressure: 0.85, used: 85, usable: 100, kernelEvidence: [{ name: 'TWRecycled', delta: 12 }] });

    const delivered = await waitUntil('the firing message', () => receiver.requests.find((r) => r.path === '/nat'));
    const { text } = JSON.parse(delivered.body) as { text: string };
    expect(text).toContain(
      'SNAT on nat-gateway for tcp 10.0.1.2:5000 from 10.0.0.1 is running out of translated source ports (85 of 100 ports, 85%).',
    );
    expect(text).toContain('The kernel is already recycling (TWRecycled +12).');

    await send(agent, host.hostId, 3, diagnosed(snatAt(60)));
    expect((await alerts.incidents('firing')).filter((i) => i.ruleId === rule.id)).toEqual([]);
    agent.close();
  });

  it('fires a conntrack rule on insert failures even with the table far from full', async () => {
    const { agent, host } = await connectEnrolled(h.api.url, aHello('conntrack-box'));
    const rule = await alerts.createRule({
      name: 'Conntrack',
      kind: 'conntrack',
      severity: 'warning',
      scope: { hostId: host.hostId, labels: {} },
      params: { threshold: 0.9 },
    });
    const table = (count: number, insertFailed: number): Diagnostics =>
      aDiagnostics({ conntrack: { count, max: 1000, insertFailed, drop: 0, earlyDrop: 0 } });

    await send(agent, host.hostId, 1, diagnosed(table(500, 0)));
    expect((await alerts.incidents('firing')).filter((i) => i.ruleId === rule.id)).toEqual([]);
    await send(agent, host.hostId, 2, diagnosed(table(500, 3)));
    const [incident] = (await alerts.incidents('firing')).filter((i) => i.ruleId === rule.id);
    expect(incident?.latest).toMatchObject({ pressure: 0.5, conntrack: { count: 500, max: 1000, insertFailed: 3 } });
    await send(agent, host.hostId, 3, diagnosed(table(500, 0)));
    expect((await alerts.incidents('firing')).filter((i) => i.ruleId === rule.id)).toEqual([]);
    await send(agent, host.hostId, 4, diagnosed(table(950, 0)));
    expect((await alerts.incidents('firing')).filter((i) => i.ruleId === rule.id)).toHaveLength(1);
    agent.close();
  });

  it('refuses rule settings of the new kinds that do not make sense', async () => {
    const res = await h.authedFetch('/api/alerts/rules', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'bad',
        kind: 'snat',
        severity: 'warning',
        scope: { hostId: null, labels: {} },
        params: { threshold: 1.5 },
      }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain('threshold');
  });
});
