import { beforeAll, describe, expect, it } from 'vitest';
import {
  AgentClient,
  connectEnrolled,
  enrollHost,
  hostSummaryOf,
  isAck,
  isError,
  isWelcome,
  rankedFleet,
  useApiHarness,
} from './support/api-harness.ts';
import { aHello, aReport, aSnapshot, aTuple } from './support/factories.ts';
import { storedSnapshots } from './support/stored-history.ts';

describe('agent ingest over WebSocket, read back through GET /api/fleet', () => {
  const h = useApiHarness();

  it('stores a snapshot sent by an agent and ranks the host by pressure', async () => {
    const { agent: calm } = await connectEnrolled(h.api.url, aHello('calm-host'));
    calm.send(aSnapshot(1, aReport({ used: 10 })));
    await calm.waitFor(isAck(1));

    const busyEnrolled = await enrollHost(h.api.url, aHello('busy-host'));
    const busy = await AgentClient.connect(h.api.url, { credential: busyEnrolled.credential });
    busy.send(aHello('busy-host'));
    const welcome = await busy.waitFor(isWelcome);
    expect(welcome.lastSeq).toBe(0);
    busy.send(aSnapshot(1, aReport({ tuples: [aTuple({ used: 97, remoteAddress: '10.1.2.3', remotePort: 443 })] })));
    await busy.waitFor(isAck(1));

    const { hosts } = await rankedFleet(h);
    expect(hosts.map((x) => x.hostname)).toEqual(['busy-host', 'calm-host']);
    const busyHost = hosts[0]!;
    expect(busyHost.pressure).toBeCloseTo(0.97);
    expect((await hostSummaryOf(h, busyHost.id)).offline).toBe(false);
    expect(busyHost.usable).toBe(100);
    expect(busyHost.worst).toMatchObject({ remoteAddress: '10.1.2.3', remotePort: 443, used: 97 });
    expect(busyHost.labels).toEqual({ env: 'test' });
    calm.close();
    busy.close();
  });

  it('stores a snapshot sent twice only once, and acks both', async () => {
    const { agent, host } = await connectEnrolled(h.api.url, aHello('twice-host'));
    const snapshot = aSnapshot(7, aReport({ used: 30 }));
    agent.send(snapshot);
    agent.send(snapshot); // in the same batch, or the next
    await agent.waitFor(isAck(7));
    await expect.poll(() => agent.messages.filter(isAck(7)).length).toBe(2);
    agent.send(snapshot); // certainly after the first was committed: its tuples must not stay behind
    await expect.poll(() => agent.messages.filter(isAck(7)).length).toBe(3);
    const { rows } = await h.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM snapshots s JOIN hosts h ON h.id = s.host_id WHERE h.hostname = 'twice-host'`,
    );
    expect(Number(rows[0]!.n)).toBe(1);
    const stored = await storedSnapshots(h.db, host.hostId);
    expect(stored.map((s) => s.report)).toEqual([snapshot.report]);
    const dictionary = await h.db.query<{ n: string }>('SELECT count(*) AS n FROM host_tuples WHERE host_id = $1', [host.hostId]);
    expect(Number(dictionary.rows[0]!.n)).toBe(snapshot.report.tuples.length);
    const again = await AgentClient.connect(h.api.url, { credential: host.credential });
    again.send(aHello('twice-host'));
    expect((await again.waitFor(isWelcome)).lastSeq).toBe(7);
    agent.close();
    again.close();
  });

  it('refuses an invalid snapshot with a clear error and stores nothing', async () => {
    const before = await h.db.query<{ n: string }>('SELECT count(*) AS n FROM snapshots');
    const { agent } = await connectEnrolled(h.api.url, aHello('bad-host'));
    const bad = aSnapshot(1, aReport({ used: 10 }));
    // usable must equal capacity − bindOwned; a negative count is refused too
    agent.send({ ...bad, report: { ...bad.report, usable: 99, hostPortsInUse: -1 } });
    const error = await agent.waitFor(isError);
    expect(error.code).toBe('INVALID_FRAME');
    expect(error.message).toMatch(/hostPortsInUse/);
    agent.send('{not json');
    await expect.poll(() => agent.messages.filter(isError).map((m) => m.code)).toEqual(['INVALID_FRAME', 'INVALID_JSON']);
    const after = await h.db.query<{ n: string }>('SELECT count(*) AS n FROM snapshots');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
    // the server keeps serving: a good snapshot on the same connection is stored
    agent.send(aSnapshot(2, aReport({ used: 5 })));
    await agent.waitFor(isAck(2));
    agent.close();
  });

  it('closes the connection when snapshots come before hello', async () => {
    const host = await enrollHost(h.api.url, aHello('eager-host'));
    const agent = await AgentClient.connect(h.api.url, { credential: host.credential });
    agent.send(aSnapshot(1));
    expect(await agent.waitForClose()).toBe(4406);
    expect(agent.messages.find(isError)?.code).toBe('HELLO_REQUIRED');
  });

  it('counts snapshots an agent dropped from its spool, each once, however the gaps are re-reported', async () => {
    const { agent, host } = await connectEnrolled(h.api.url, aHello('gappy-host'));
    agent.send({ type: 'gap', fromSeq: 1, toSeq: 5 });
    await agent.waitFor((m): m is Extract<typeof m, { type: 'gap-ack' }> => m.type === 'gap-ack' && m.toSeq === 5);
    // widened while the first report was in flight, then the rest reported on its own
    agent.send({ type: 'gap', fromSeq: 1, toSeq: 7 });
    agent.send({ type: 'gap', fromSeq: 6, toSeq: 7 });
    agent.send({ type: 'gap', fromSeq: 20, toSeq: 20 });
    await expect.poll(() => agent.messages.filter((m) => m.type === 'gap-ack').length).toBe(4);
    agent.send(aSnapshot(8, aReport({ used: 3 })));
    await agent.waitFor(isAck(8));
    const res = await h.authedFetch(`/api/hosts/${host.hostId}`);
    expect(await res.json()).toMatchObject({ droppedSnapshots: 8, credentialActive: true });
    agent.close();
  });

  it('stores a burst of snapshots (a spool replay) once each, in the order sent', async () => {
    const { agent, host } = await connectEnrolled(h.api.url, aHello('replay-host'));
    const t0 = Date.now() - 60_000;
    for (let seq = 1; seq <= 60; seq++) agent.send(aSnapshot(seq, aReport({ used: seq }), new Date(t0 + seq * 1000)));
    agent.send(aSnapshot(30, aReport({ used: 30 }), new Date(t0 + 30_000))); // a resend in the middle
    await agent.waitFor(isAck(60));
    await expect.poll(() => agent.messages.filter((m) => m.type === 'ack').length).toBe(61);
    const { rows: order } = await h.db.query<{ seq: string }>('SELECT seq FROM snapshots WHERE host_id = $1 ORDER BY received_at, seq', [
      host.hostId,
    ]);
    expect(order.map((r) => Number(r.seq))).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const rows = (await storedSnapshots(h.db, host.hostId)).map((s) => ({ seq: s.seq, used: s.report.tuples[0]!.used }));
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(rows.map((r) => r.used)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const summary = await (await h.authedFetch(`/api/hosts/${host.hostId}`)).json();
    expect(summary).toMatchObject({ worstTuple: { used: 60 } }); // the newest measurement leads
    agent.close();
  });

  it('answers GET /api/hosts/:id for a known host and 404 for an unknown one', async () => {
    const { hosts } = await rankedFleet(h);
    const one = await h.authedFetch(`/api/hosts/${hosts[0]!.id}`);
    expect(one.status).toBe(200);
    const missing = await h.authedFetch('/api/hosts/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'HOST_NOT_FOUND' });
    const invalid = await h.authedFetch('/api/hosts/not-a-uuid');
    expect(invalid.status).toBe(400);
  });
});

describe('a host that stops reporting', () => {
  const h = useApiHarness({ PORTPRESSURE_INTERVAL_SECONDS: '2' });
  beforeAll(() => rankedFleet(h)); // signs in now, so the checks below are not slowed by it

  it('is shown offline in GET /api/hosts/:id once it has missed three intervals', async () => {
    const { agent, host } = await connectEnrolled(h.api.url, aHello('quiet-host'));
    agent.send(aSnapshot(1));
    await agent.waitFor(isAck(1));
    const find = () => hostSummaryOf(h, host.hostId);
    expect((await find()).offline).toBe(false); // within the six seconds of three intervals
    agent.close();
    await expect.poll(async () => (await find()).offline, { timeout: 20_000, interval: 250 }).toBe(true);
  });
});
