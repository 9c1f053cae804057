import { fleetSchema, hostDeletedSchema } from '@portpressure/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaintenanceService } from '../src/retention/maintenance.service.ts';
import { connectEnrolled, isAck, startApiHarness, type AgentClient, type ApiHarness } from './support/api-harness.ts';
import { aHello, aReport, aSnapshot, aTuple } from './support/factories.ts';

function poll<T>(fn: () => T | Promise<T>) {
  return expect.poll(fn, { timeout: 20_000, interval: 100 });
}

describe('host lifecycle: delete and archive', () => {
  let h: ApiHarness;
  const seqs = new Map<AgentClient, number>();

  async function report(agent: AgentClient, used: number) {
    const seq = (seqs.get(agent) ?? 0) + 1;
    seqs.set(agent, seq);
    agent.send(aSnapshot(seq, aReport({ tuples: [aTuple({ used }), aTuple({ used: 3, remotePort: 7000 })] })));
    await agent.waitFor(isAck(seq));
  }

  const fleetIds = async () => {
    const res = await h.authedFetch('/api/fleet');
    return fleetSchema.parse(await res.json()).hosts.map((x) => x.id);
  };

  const rowsOf = async (hostId: string) =>
    (
      await h.db.query<Record<string, string>>(
        `SELECT (SELECT count(*) FROM hosts WHERE id = $1) hosts, (SELECT count(*) FROM snapshots WHERE host_id = $1) snapshots,
                (SELECT count(*) FROM host_tuples WHERE host_id = $1) tuples, (SELECT count(*) FROM host_minutes WHERE host_id = $1) minutes,
                (SELECT count(*) FROM host_credentials WHERE host_id = $1) credentials`,
        [hostId],
      )
    ).rows[0]!;

  beforeAll(async () => {
    h = await startApiHarness({ PORTPRESSURE_ALERT_TICK_SECONDS: '1', PORTPRESSURE_ARCHIVE_AFTER_DAYS: '30' });
  });
  afterAll(async () => h?.stop());

  it('deletes a host with its history: its agent is disconnected, it leaves the fleet, others stay', async () => {
    const gone = await connectEnrolled(h.api.url, aHello('doomed-host'));
    const kept = await connectEnrolled(h.api.url, aHello('kept-host'));
    for (let i = 0; i < 3; i++) {
      await report(gone.agent, 40 + i);
      await report(kept.agent, 10 + i);
    }
    await poll(fleetIds).toEqual(expect.arrayContaining([gone.host.hostId, kept.host.hostId]));
    await poll(async () => (await rowsOf(gone.host.hostId)).minutes).not.toBe('0');

    const res = await h.authedFetch(`/api/hosts/${gone.host.hostId}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(hostDeletedSchema.parse(await res.json())).toEqual({ hostId: gone.host.hostId, deleted: true });
    expect(await gone.agent.waitForClose()).toBeGreaterThanOrEqual(4000);
    expect(await rowsOf(gone.host.hostId)).toEqual({ hosts: '0', snapshots: '0', tuples: '0', minutes: '0', credentials: '0' });
    await poll(fleetIds).not.toContain(gone.host.hostId);
    expect(await fleetIds()).toContain(kept.host.hostId);
    expect((await h.authedFetch(`/api/hosts/${gone.host.hostId}`)).status).toBe(404);
    expect((await h.authedFetch(`/api/hosts/${kept.host.hostId}/history`)).status).toBe(200);

    // a second delete, a bad id, and no session change nothing
    expect((await h.authedFetch(`/api/hosts/${gone.host.hostId}`, { method: 'DELETE' })).status).toBe(404);
    const bad = await h.authedFetch('/api/hosts/not-a-host/', { method: 'DELETE' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'INVALID_HOST_ID' });
    expect((await fetch(`${h.api.url}/api/hosts/${kept.host.hostId}`, { method: 'DELETE' })).status).toBe(401);
    expect((await rowsOf(kept.host.hostId)).snapshots).toBe('3');
    kept.agent.close();
  });

  it('archives a host silent past the setting: out of the ranking, its offline incident resolved, back on its next report', async () => {
    const { agent, host } = await connectEnrolled(h.api.url, aHello('sleepy-host'));
    await report(agent, 20);
    await poll(fleetIds).toContain(host.hostId);
    // 31 days of silence, as the database will see it
    await h.db.query(`UPDATE hosts SET last_seen_at = now() - interval '31 days' WHERE id = $1`, [host.hostId]);
    const offline = () =>
      h.db.query<{ status: string }>(`SELECT status FROM alert_incidents WHERE host_id = $1 AND rule_kind = 'offline'`, [host.hostId]);
    await poll(async () => (await offline()).rows.map((r) => r.status)).toEqual(['firing']);

    const job = h.api.app.get(MaintenanceService);
    let run = await job.run();
    for (let i = 0; run === null && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 50));
      run = await job.run();
    }
    expect(run?.archivedHosts).toEqual([host.hostId]);
    await poll(fleetIds).not.toContain(host.hostId);
    await poll(async () => (await offline()).rows.map((r) => r.status)).toEqual(['resolved']);
    // the ticker opens no new offline incident for an archived host
    await new Promise((r) => setTimeout(r, 2_500));
    expect((await offline()).rows.map((r) => r.status)).toEqual(['resolved']);

    await report(agent, 25);
    await poll(fleetIds).toContain(host.hostId);
    const { rows } = await h.db.query<{ archived_at: Date | null }>('SELECT archived_at FROM hosts WHERE id = $1', [host.hostId]);
    expect(rows[0]!.archived_at).toBeNull();
    agent.close();
  });
});
