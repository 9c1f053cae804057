import {
  decodeSparkline,
  hostDetailSchema,
  hostHistorySchema,
  LIVE_WS_PATH,
  liveMessageSchema,
  MAX_HISTORY_POINTS,
  type LiveMessage,
  type TupleUsage,
} from '@portpressure/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  connectEnrolled,
  isAck,
  rankedFleet,
  startApiHarness,
  useApiHarness,
  type AgentClient,
  type ApiHarness,
} from './support/api-harness.ts';
import { aHello, aReport, aSnapshot, aTuple } from './support/factories.ts';
import { poll } from '../../../test/support/wait.ts';

const MINUTE = 60_000;
const BACKEND = { remoteAddress: '10.0.0.5', remotePort: 5432 };
const CACHE = { remoteAddress: '10.0.0.9', remotePort: 6379 };

/** Tuples of one snapshot: the backend tuple holding `used` ports (a third in TIME_WAIT), the cache tuple 10. */
function tuples(used: number): TupleUsage[] {
  const timeWait = Math.floor(used / 3);
  const backend = aTuple({ ...BACKEND, used, timeWait, states: { ESTABLISHED: used - timeWait, TIME_WAIT: timeWait } });
  const cache = aTuple({ ...CACHE, used: 10, states: { ESTABLISHED: 10 } });
  return [backend, cache].sort((a, b) => b.pressure - a.pressure);
}

/** Sends snapshots through the real ingest path and waits for the last ack. */
async function sendAll(agent: AgentClient, snapshots: { seq: number; at: number; used: number }[]): Promise<void> {
  for (const s of snapshots) agent.send(aSnapshot(s.seq, aReport({ tuples: tuples(s.used) }), new Date(s.at)));
  await agent.waitFor(isAck(snapshots.at(-1)!.seq), 30_000);
}

describe('host history and detail', () => {
  let h: ApiHarness;
  let hostId: string;
  const now = Date.now();
  const start = now - 120 * MINUTE;
  const spikeAt = start + 50 * MINUTE + 20_000;
  const offline = { from: start + 80 * MINUTE, to: start + 95 * MINUTE };

  beforeAll(async () => {
    // history arrives faster than any real agent sends it: lift the per-connection frame limit
    h = await startApiHarness({ PORTPRESSURE_INTERVAL_SECONDS: '10', PORTPRESSURE_AGENT_RATE_LIMIT: '100000' });
    const { agent, host } = await connectEnrolled(h.api.url, aHello('history-host'));
    hostId = host.hostId;
    // two hours every 20 s: 40 ports, one 95-port spike, silent for 15 minutes, then 60 ports
    const snapshots: { seq: number; at: number; used: number }[] = [];
    for (let at = start, seq = 1; at < now; at += 20_000) {
      if (at > offline.from && at < offline.to) continue;
      snapshots.push({ seq: seq++, at, used: at === spikeAt ? 95 : at < offline.from ? 40 : 60 });
    }
    await sendAll(agent, snapshots);
    agent.close();
  });
  afterAll(async () => h?.stop());

  async function history(query: string) {
    const res = await h.authedFetch(`/api/hosts/${hostId}/history${query}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return hostHistorySchema.parse(await res.json());
  }

  it('answers two hours at 8 s buckets, keeping the spike, the top tuples and the state breakdown', async () => {
    const from = new Date(start).toISOString();
    const to = new Date(now).toISOString();
    const hist = await history(`?from=${from}&to=${to}`);
    expect(hist.bucketSeconds).toBe(8);
    expect(hist.t.length).toBeGreaterThan(300);
    expect(hist.t.length).toBeLessThanOrEqual(MAX_HISTORY_POINTS);
    expect([...hist.t].sort((a, b) => a - b)).toEqual(hist.t);
    expect(Math.max(...hist.held)).toBe(95);
    expect(hist.pressure[hist.held.indexOf(95)]).toBeCloseTo(0.95);
    expect(hist.usable.every((u) => u === 100)).toBe(true);

    expect(hist.tuples.map((s) => [s.tuple.remoteAddress, s.tuple.remotePort])).toEqual([
      [BACKEND.remoteAddress, BACKEND.remotePort],
      [CACHE.remoteAddress, CACHE.remotePort],
    ]);
    expect(Math.max(...hist.tuples[0]!.held)).toBe(95);
    expect(hist.tuples[1]!.held.every((x) => x === 10)).toBe(true);

    // TIME_WAIT is a third of the backend tuple; ESTABLISHED sums both tuples
    expect(Math.max(...hist.timeWait)).toBe(31);
    expect(Math.max(...hist.states.TIME_WAIT!)).toBe(31);
    expect(Math.max(...hist.states.ESTABLISHED!)).toBe(95 - 31 + 10);
    expect(hist.states.SYN_SENT).toBeUndefined();
  });

  it('marks the stretch the host was offline as a gap', async () => {
    const hist = await history(`?from=${new Date(start).toISOString()}&to=${new Date(now).toISOString()}`);
    // the host has been silent since the seeding ended: that trailing gap (once 30 s pass) is not this one
    const gaps = hist.gaps.filter((g) => g.from < now - MINUTE);
    expect(gaps).toHaveLength(1);
    const gap = gaps[0]!;
    expect(gap.from).toBeLessThanOrEqual(offline.from);
    expect(gap.from).toBeGreaterThan(offline.from - 30_000);
    expect(gap.to).toBeGreaterThanOrEqual(offline.to);
    expect(gap.to).toBeLessThan(offline.to + 30_000);
    // no bucket falls inside the gap
    expect(hist.t.filter((t) => t > gap.from && t + hist.bucketSeconds * 1000 < gap.to)).toEqual([]);
  });

  it('draws spans over two hours from the minute rollups: whole-minute buckets, the spike, tuples, states and the gap', async () => {
    // the rollups are written just after ingest acks; wait until the last minute is in
    await poll(async () => (await history('')).t.at(-1) ?? 0, { timeout: 10_000 }).toBeGreaterThan(now - 3 * MINUTE);
    const day = await history('');
    expect(day.bucketSeconds).toBe(120);
    expect(day.tier).toBe('minute');
    expect(Date.parse(day.from) % MINUTE).toBe(0);
    expect(day.t.length).toBeLessThanOrEqual(MAX_HISTORY_POINTS);
    expect(day.t.length).toBeGreaterThan(40);
    expect(Math.max(...day.held)).toBe(95);
    expect(Math.max(...day.pressure)).toBeCloseTo(0.95);
    expect(day.tuples.map((s) => s.tuple.remotePort)).toEqual([BACKEND.remotePort, CACHE.remotePort]);
    expect(Math.max(...day.tuples[0]!.held)).toBe(95);
    expect(Math.max(...day.timeWait)).toBe(31);
    expect(Math.max(...day.states.ESTABLISHED!)).toBe(95 - 31 + 10);
    const gaps = day.gaps.filter((g) => g.from < now - 2 * MINUTE);
    expect(gaps).toHaveLength(1);
    expect(gaps[0]!.from).toBeGreaterThan(offline.from - 2 * MINUTE);
    expect(gaps[0]!.to).toBeLessThan(offline.to + 2 * MINUTE);

    const month = await history(`?from=${new Date(now - 31 * 86_400_000).toISOString()}&to=${new Date(now).toISOString()}`);
    // past a week the hour tier answers; with no hour rolled up yet, its minute rows answer for it
    expect(month.tier).toBe('hour');
    expect(month.bucketSeconds).toBe(3600);
    expect(month.t.length).toBeLessThanOrEqual(MAX_HISTORY_POINTS);
    expect(Math.max(...month.held)).toBe(95);
    expect(Math.max(...month.tuples[0]!.pressure)).toBeCloseTo(0.95);
  });

  it('shows a host that went silent as offline from its last snapshot up to now', async () => {
    const { agent, host } = await connectEnrolled(h.api.url, aHello('silent-host'));
    const last = Date.now() - 5 * MINUTE;
    await sendAll(
      agent,
      [0, 1, 2].map((i) => ({ seq: i + 1, at: last - (2 - i) * 10_000, used: 30 })),
    );
    agent.close();
    const res = await h.authedFetch(
      `/api/hosts/${host.hostId}/history?from=${new Date(last - 10 * MINUTE).toISOString()}&to=${new Date(Date.now() + 10 * MINUTE).toISOString()}`,
    );
    const hist = hostHistorySchema.parse(await res.json());
    expect(hist.gaps).toHaveLength(1);
    expect(hist.gaps[0]!.from).toBe(last);
    // up to the present, not to the end of the asked span
    expect(hist.gaps[0]!.to).toBeGreaterThan(Date.now() - 5_000);
    expect(hist.gaps[0]!.to).toBeLessThanOrEqual(Date.now());
  });

  it('refuses bad queries with a 400 that names the problem', async () => {
    const cases: [string, RegExp][] = [
      ['?from=yesterday', /from: must be an ISO 8601 time/],
      ['?to=2026-13-01T00:00:00Z', /to: must be an ISO 8601 time/],
      [`?from=${new Date(now).toISOString()}&to=${new Date(now - MINUTE).toISOString()}`, /must be before to/],
      [`?from=${new Date(now - 40 * 86_400_000).toISOString()}&to=${new Date(now).toISOString()}`, /at most 31 days/],
    ];
    for (const [query, message] of cases) {
      const res = await h.authedFetch(`/api/hosts/${hostId}/history${query}`);
      expect(res.status, query).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'INVALID_QUERY', message: expect.stringMatching(message) });
    }
    expect((await h.authedFetch('/api/hosts/not-a-host/history')).status).toBe(400);
    expect((await h.authedFetch('/api/hosts/00000000-0000-4000-8000-000000000000/history')).status).toBe(404);
    expect((await fetch(`${h.api.url}/api/hosts/${hostId}/history`)).status).toBe(401);
  });

  it('describes the latest snapshot: tuple table, range, sysctls and advice with the RFC 6335 caveat', async () => {
    const res = await h.authedFetch(`/api/hosts/${hostId}/detail`);
    expect(res.status).toBe(200);
    const detail = hostDetailSchema.parse(await res.json());
    expect(detail.host.hostname).toBe('history-host');
    expect(detail.latest?.report.range).toEqual({ low: 40000, high: 40099 });
    expect(detail.latest?.report.tuples.map((t) => t.used)).toEqual([60, 10]);
    expect(detail.latest?.report.sysctls.tcpTwReuse).toBe(2);
    expect(detail.offlineAfterSeconds).toBe(30);
    // 60 of 100 ports is below the warning threshold: nothing to advise yet
    expect(detail.advice).toEqual([]);
  });

  it('ranks the fleet with a last-hour trend per host', async () => {
    const list = await rankedFleet(h);
    expect(list.offlineAfterSeconds).toBe(30);
    expect(Math.abs(Date.parse(list.serverTime) - Date.now())).toBeLessThan(60_000);
    const host = list.hosts.find((x) => x.id === hostId)!;
    await poll(async () => {
      const sparkline = (await rankedFleet(h)).hosts.find((x) => x.id === hostId)?.trend?.sparkline ?? '';
      return decodeSparkline(sparkline).filter((p) => p !== null).length;
    }).toBeGreaterThan(20);
    expect(host.hostname).toBe('history-host');
  });
});

describe('advice and forecast from live data', () => {
  const h = useApiHarness();

  it('forecasts exhaustion for a climbing host, pushes the trend live, and advises on TIME_WAIT and the narrow range', async () => {
    const cookie = await h.login();
    const live = new WebSocket(h.api.url.replace(/^http/, 'ws') + LIVE_WS_PATH, { headers: { cookie } });
    const frames: LiveMessage[] = [];
    live.on('message', (d) => frames.push(liveMessageSchema.parse(JSON.parse(d.toString()))));
    await new Promise((resolve) => live.once('open', resolve));

    const { agent, host } = await connectEnrolled(h.api.url, aHello('climbing-host'));
    const now = Date.now();
    // 10 minutes of a tuple climbing from 20 to 78 ports, mostly TIME_WAIT, tcp_tw_reuse=0
    const snapshots = Array.from({ length: 30 }, (_, i) => {
      const used = 20 + 2 * i;
      const timeWait = Math.floor(used * 0.7);
      const report = aReport({
        tuples: [aTuple({ ...BACKEND, used, timeWait, states: { ESTABLISHED: used - timeWait, TIME_WAIT: timeWait } })],
      });
      report.sysctls.tcpTwReuse = 0;
      return aSnapshot(i + 1, report, new Date(now - (29 - i) * 20_000));
    });
    for (const s of snapshots) agent.send(s);
    await agent.waitFor(isAck(30));
    agent.close();

    await poll(() => frames.some((f) => f.type === 'trend' && f.hostId === host.hostId && f.trend.exhaustsAt !== null)).toBe(true);
    const list = await rankedFleet(h);
    const trend = list.hosts.find((x) => x.id === host.hostId)!.trend!;
    // 2 ports per 20 s = 0.1 port/s; per-minute maxima give the same slope
    expect(trend.slopePerSecond).toBeCloseTo(0.1, 2);
    const minutesLeft = (Date.parse(trend.exhaustsAt!) - now) / MINUTE;
    expect(minutesLeft).toBeGreaterThan(2);
    expect(minutesLeft).toBeLessThan(6);
    live.close();

    const detail = hostDetailSchema.parse(await (await h.authedFetch(`/api/hosts/${host.hostId}/detail`)).json());
    const codes = detail.advice.map((a) => a.code);
    expect(codes).toEqual(expect.arrayContaining(['TUPLE_PRESSURE', 'TIME_WAIT_REUSE_OFF', 'NARROW_RANGE']));
    expect(detail.advice.find((a) => a.code === 'NARROW_RANGE')!.message).toMatch(/RFC 6335/);
  });
});
