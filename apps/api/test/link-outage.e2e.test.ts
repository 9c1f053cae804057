import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startApi, type StartedApi } from '../src/app.ts';
import { loadApiConfig, type ApiConfig } from '../src/config/config.ts';
import { freePort } from '../src/database/embedded-postgres.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { spawnAgent, type AgentProcess } from './support/agent-process.ts';
import { TEST_ENROLLMENT_TOKEN } from './support/api-harness.ts';
import { waitUntil } from '../../../test/support/wait.ts';

const INTERVAL_S = 1;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface StoredRow {
  seq: number;
  takenAt: Date;
}

/**
 * The real API (stopped and restarted on the same port and database) and a real agent process
 * sampling this machine every second: nothing measured during an outage may be lost, duplicated
 * or reordered.
 */
describe('agent ↔ API link across an API outage', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });

  async function setUp(): Promise<{ db: TestDatabase; config: ApiConfig; stateDir: string; base: string }> {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const port = await freePort();
    const config = loadApiConfig({
      DATABASE_URL: db.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      PORTPRESSURE_ENROLLMENT_TOKEN: TEST_ENROLLMENT_TOKEN,
      PORTPRESSURE_INTERVAL_SECONDS: String(INTERVAL_S),
      PORTPRESSURE_ADMIN_PASSWORD: 'test-admin-password',
    });
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'portpressure-agent-'));
    cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
    return { db, config, stateDir, base: `http://127.0.0.1:${port}` };
  }

  async function boot(config: ApiConfig): Promise<StartedApi> {
    const api = await startApi(config, { logger: false });
    cleanups.push(() => api.close());
    return api;
  }

  function agent(base: string, stateDir: string, extra: string[] = []): AgentProcess {
    const a = spawnAgent([
      ...extra,
      '--server',
      base,
      '--enrollment-token',
      TEST_ENROLLMENT_TOKEN,
      '--interval',
      String(INTERVAL_S),
      '--state-dir',
      stateDir,
      '--source',
      'proc',
      '--label',
      'test=outage',
    ]);
    cleanups.push(() => a.stop());
    return a;
  }

  /** Snapshot files in the agent's spool now. */
  async function spooledFiles(stateDir: string): Promise<string[]> {
    return (await readdir(path.join(stateDir, 'spool')).catch(() => [])).filter((f) => /^\d{16}\.json$/.test(f));
  }

  /**
   * Waits at least `ms` and until the spool holds `count` snapshots numbered above `afterSeq`:
   * the outage lasts that many measurements however slow the machine is.
   */
  async function outageOf(ms: number, stateDir: string, count: number, afterSeq: number, a: AgentProcess): Promise<number> {
    await sleep(ms);
    return waitUntil(
      `${count} snapshots in the spool`,
      async () => {
        const n = (await spooledFiles(stateDir)).filter((f) => Number(f.slice(0, 16)) > afterSeq).length;
        return n >= count ? n : undefined;
      },
      60_000,
      a.output,
    );
  }

  async function stored(db: TestDatabase): Promise<StoredRow[]> {
    const { rows } = await db.query<{ seq: string; taken_at: Date }>('SELECT seq, taken_at FROM snapshots ORDER BY received_at, seq');
    return rows.map((r) => ({ seq: Number(r.seq), takenAt: r.taken_at }));
  }

  /** The highest seq stored so far. */
  async function lastStoredSeq(db: TestDatabase): Promise<number> {
    return Math.max(...(await stored(db)).map((r) => r.seq));
  }

  /** Waits until a snapshot measured a second after `since` is stored (the backlog drained before it) and returns every stored row. */
  async function storedAfter(db: TestDatabase, since: number, a: AgentProcess): Promise<StoredRow[]> {
    return waitUntil(
      'live data after the backlog',
      async () => {
        const r = await stored(db);
        return r.some((x) => x.takenAt.getTime() > since + 1000) ? r : undefined;
      },
      60_000,
      a.output,
    );
  }

  /** Every stored snapshot once, in the order measured, with no hole: seq 1…n stored in that order. */
  function expectCompleteAndOrdered(rows: StoredRow[]): void {
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.takenAt.getTime()).toBeGreaterThan(rows[i - 1]!.takenAt.getTime());
  }

  /** Waits for the drain after an outage, checks that every snapshot arrived once and in order, and returns those measured during the outage. */
  async function drainedOutage(db: TestDatabase, outageStart: number, outageEnd: number, a: AgentProcess): Promise<StoredRow[]> {
    const rows = await storedAfter(db, outageEnd, a);
    expectCompleteAndOrdered(rows);
    return rows.filter((r) => r.takenAt.getTime() > outageStart && r.takenAt.getTime() < outageEnd);
  }

  async function waitForSeq(db: TestDatabase, minSeq: number, a: AgentProcess): Promise<StoredRow[]> {
    return waitUntil(
      `seq ${minSeq} stored`,
      async () => {
        const rows = await stored(db);
        return rows.some((r) => r.seq >= minSeq) ? rows : undefined;
      },
      60_000,
      a.output,
    );
  }

  it('delivers every snapshot taken while the API was down exactly once and in order', { timeout: 120_000 }, async () => {
    const { db, config, stateDir, base } = await setUp();
    let api = await boot(config);
    const a = agent(base, stateDir);
    await waitForSeq(db, 2, a);
    expect(await stat(path.join(stateDir, 'credential.json')).then((s) => s.mode & 0o777)).toBe(0o600);

    await api.close();
    const outageStart = Date.now();
    const lastBefore = await lastStoredSeq(db);
    // well over three intervals without an API, and at least three measurements spooled
    expect(await outageOf(3.5 * INTERVAL_S * 1000, stateDir, 3, lastBefore, a)).toBeGreaterThanOrEqual(3);
    api = await boot(config);
    const outageEnd = Date.now();

    // Drained: the spool's backlog, then live snapshots measured after the restart.
    const duringOutage = await drainedOutage(db, outageStart, outageEnd, a);
    expect(duringOutage.length).toBeGreaterThanOrEqual(3);
    const { rows: host } = await db.query<{ dropped: string; labels: unknown }>('SELECT dropped_snapshots AS dropped, labels FROM hosts');
    expect(host).toEqual([{ dropped: '0', labels: { test: 'outage' } }]);
    expect(a.output()).toMatch(/sending \d+ spooled snapshot/);

    expect(await a.stop()).toBe(0);
    expect(a.output()).toMatch(/SIGTERM: stopped/);
  });

  it('keeps the spool on disk across an agent restart during the outage', { timeout: 120_000 }, async () => {
    const { db, config, stateDir, base } = await setUp();
    let api = await boot(config);
    const first = agent(base, stateDir);
    await waitForSeq(db, 2, first);

    await api.close();
    const outageStart = Date.now();
    const lastBefore = await lastStoredSeq(db);
    await outageOf(2 * INTERVAL_S * 1000, stateDir, 3, lastBefore, first);
    expect(await first.stop()).toBe(0); // SIGTERM: the spool is flushed, the process exits cleanly
    const leftBehind = (await spooledFiles(stateDir)).length;
    expect(leftBehind).toBeGreaterThanOrEqual(2);

    const second = agent(base, stateDir); // same state folder: same credential, same spool
    await outageOf(2 * INTERVAL_S * 1000, stateDir, leftBehind + 2, 0, second);
    api = await boot(config);
    const outageEnd = Date.now();

    const duringOutage = await drainedOutage(db, outageStart, outageEnd, second);
    // both processes measured during the outage, and everything of both arrived
    expect(duringOutage.length).toBeGreaterThanOrEqual(4);
    expect(second.output()).toMatch(/snapshot\(s\) left in the spool by the previous run/);
    const { rows: host } = await db.query<{ n: string; dropped: string }>(
      'SELECT count(*) AS n, sum(dropped_snapshots) AS dropped FROM hosts',
    );
    expect(host).toEqual([{ n: '1', dropped: '0' }]); // the restarted agent reused its credential: no second host
    // the spool drains down to what is in flight
    await waitUntil(
      'the spool to drain',
      async () => ((await spooledFiles(stateDir)).length <= 2 ? true : undefined),
      30_000,
      second.output,
    );
  });

  it('drops the oldest snapshots beyond the spool cap and reports the gap, which the API counts', { timeout: 120_000 }, async () => {
    const { db, config, stateDir, base } = await setUp();
    let api = await boot(config);
    const a = agent(base, stateDir, ['--max-pending', '2']);
    await waitForSeq(db, 1, a);
    await api.close();
    // more measurements than the spool of two can hold: wait for the agent to report dropping
    await sleep(3 * INTERVAL_S * 1000);
    // Two drops before the restart: after only one, a quick boot and reconnection (backoff jitter)
    // could leave a gap of a single snapshot, and the count below would fail by chance.
    await waitUntil(
      'the spool to overflow twice',
      async () => ((a.output().match(/spool full/g) ?? []).length >= 2 ? true : undefined),
      60_000,
      a.output,
    );
    api = await boot(config);
    const outageEnd = Date.now();
    const rows = await storedAfter(db, outageEnd, a);
    const gaps = await waitUntil(
      'the gap report',
      async () => {
        const g = await db.query<{ from_seq: string; to_seq: string }>('SELECT from_seq, to_seq FROM snapshot_gaps ORDER BY from_seq');
        return g.rows.length > 0 ? g.rows.map((r) => [Number(r.from_seq), Number(r.to_seq)] as const) : undefined;
      },
      30_000,
      a.output,
    );
    // Stored snapshots and reported gaps together cover every seq once: nothing lost silently.
    const seqs = rows.map((r) => r.seq);
    const dropped = gaps.flatMap(([from, to]) => Array.from({ length: to - from + 1 }, (_, i) => from + i));
    expect(dropped.length).toBeGreaterThanOrEqual(2);
    expect(dropped.filter((s) => seqs.includes(s))).toEqual([]);
    const covered = [...seqs, ...dropped].filter((s) => s <= Math.max(...seqs)).sort((x, y) => x - y);
    expect(covered).toEqual(covered.map((_, i) => i + 1));
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y)); // stored in order
    const { rows: host } = await db.query<{ dropped: string }>('SELECT dropped_snapshots AS dropped FROM hosts');
    expect(Number(host[0]!.dropped)).toBe(dropped.length);
    expect(a.output()).toMatch(/spool full \(2\): dropped snapshot/);
  });
});
