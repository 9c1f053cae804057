import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbService } from '../../src/database/db.service.ts';
import { HistoryRepository, type HistoryWindow, type TupleBucket } from '../../src/history/history.repository.ts';
import { HistoryWritesRepository } from '../../src/history/history-writes.repository.ts';
import type { HostMinuteRow, TupleMinuteRow } from '../../src/history/minute-rollup.ts';
import { MaintenanceRepository } from '../../src/retention/maintenance.repository.ts';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import { random } from '../support/seeded-random.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const TOP = 5;

type Tuple = Pick<TupleMinuteRow, 'localAddress' | 'remoteAddress' | 'remotePort'>;
type Row = Omit<TupleMinuteRow, 'hostId' | 'protocol'>;

const pick = (t: Tuple): Tuple => ({ localAddress: t.localAddress, remoteAddress: t.remoteAddress, remotePort: t.remotePort });

/** Byte order, as `COLLATE "C"` compares the addresses ('10.0.0.10' before '10.0.0.9'). */
const bytewise = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * The top tuples the obvious way: every tuple's maxima over the window's minute rows, ranked worst
 * first (pressure, then held, then remote address, port and local address), and each top tuple's
 * maxima per bucket.
 */
function expected(rows: Row[], w: HistoryWindow): TupleBucket[] {
  const from = w.from.getTime();
  const bucketMs = w.bucketSeconds * 1000;
  const inWindow = rows.filter((r) => r.minute >= from && r.minute < w.to.getTime());
  const key = (t: Tuple) => `${t.localAddress} ${t.remoteAddress} ${t.remotePort}`;
  const totals = new Map<string, Tuple & { pressure: number; held: number }>();
  for (const r of inWindow) {
    const t = totals.get(key(r));
    if (t) {
      t.pressure = Math.max(t.pressure, r.pressure);
      t.held = Math.max(t.held, r.held);
    } else totals.set(key(r), { ...pick(r), pressure: r.pressure, held: r.held });
  }
  const top = [...totals.values()]
    .sort(
      (a, b) =>
        b.pressure - a.pressure ||
        b.held - a.held ||
        bytewise(a.remoteAddress, b.remoteAddress) ||
        a.remotePort - b.remotePort ||
        bytewise(a.localAddress, b.localAddress),
    )
    .slice(0, TOP);
  return top.flatMap((t) => {
    const buckets = new Map<number, { pressure: number; held: number }>();
    for (const r of inWindow) {
      if (key(r) !== key(t)) continue;
      const at = from + Math.floor((r.minute - from) / bucketMs) * bucketMs;
      const b = buckets.get(at);
      buckets.set(at, b ? { pressure: Math.max(b.pressure, r.pressure), held: Math.max(b.held, r.held) } : r);
    }
    return [...buckets.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([at, b]) => ({ protocol: 'tcp' as const, ...pick(t), t: at, pressure: b.pressure, held: b.held }));
  });
}

/**
 * A week's top tuples are ranked from the hour rollup wherever it holds what the minutes hold;
 * these seed the cases where that shortcut could answer differently from the minutes themselves
 * and check every answer against the minute rows, ranked and bucketed in TypeScript.
 */
describe('the top tuples of a long span, ranked from the hour tier', () => {
  let db: TestDatabase;
  let pool: DbService;
  let history: HistoryRepository;
  let writes: HistoryWritesRepository;
  let maintenance: MaintenanceRepository;
  let hostId: string;
  const rows: Row[] = [];

  // The window: a week ending mid-hour, starting 41 minutes into an hour (a partial first hour).
  const to = Date.UTC(2026, 10, 27, 10, 41);
  const from = to - 7 * DAY;
  const window = (): HistoryWindow => ({ hostId, from: new Date(from), to: new Date(to), bucketSeconds: 660 });
  /** Where the hour rollup stops: the minutes after it are read as minutes. */
  const watermark = Date.UTC(2026, 10, 27, 6);

  const background: Tuple[] = Array.from({ length: 14 }, (_, i) => ({
    localAddress: `10.0.${i % 2}.1`,
    remoteAddress: `10.0.0.${i % 7}`,
    remotePort: 5000 + (i % 3),
  }));
  // Tuples that tie on both maxima and differ only in the tie-breaking columns.
  const tied: Tuple[] = [
    { localAddress: '10.0.0.1', remoteAddress: '10.0.0.9', remotePort: 80 },
    { localAddress: '10.0.0.1', remoteAddress: '10.0.0.10', remotePort: 80 },
    { localAddress: '10.0.0.1', remoteAddress: '10.0.0.10', remotePort: 79 },
    { localAddress: '10.0.0.2', remoteAddress: '10.0.0.10', remotePort: 79 },
  ];
  const pastWatermark: Tuple = { localAddress: '10.9.0.1', remoteAddress: '192.0.2.1', remotePort: 443 };
  const late: Tuple = { localAddress: '10.9.0.1', remoteAddress: '192.0.2.2', remotePort: 443 };
  const firstHour: Tuple = { localAddress: '10.9.0.1', remoteAddress: '192.0.2.3', remotePort: 443 };
  const beforeWindow: Tuple = { localAddress: '10.9.0.1', remoteAddress: '192.0.2.4', remotePort: 443 };

  /** Stores minute rows as the history writer does (a host row per minute counting its snapshots). */
  async function store(tuples: Row[]): Promise<void> {
    const minutes = [...new Set(tuples.map((r) => r.minute))].sort((a, b) => a - b);
    const hostRows: HostMinuteRow[] = minutes.map((minute) => ({
      hostId,
      minute,
      pressure: 0.5,
      held: 1,
      usable: 1000,
      hostPortsInUse: 1,
      timeWait: 0,
      reclaimable: 0,
      states: {},
      snapshots: 1,
    }));
    await writes.upsertMinutes(
      hostRows,
      tuples.map((r) => ({ hostId, protocol: 'tcp', ...r })),
    );
    rows.push(...tuples);
  }

  async function rollup(until: number): Promise<void> {
    await maintenance.rollupHours({ db: pool }, new Date(Math.floor((from - DAY) / HOUR) * HOUR), new Date(until));
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new DbService({ databaseUrl: db.url });
    history = new HistoryRepository(pool);
    writes = new HistoryWritesRepository(pool);
    maintenance = new MaintenanceRepository(pool);
    hostId = (await db.query<{ id: string }>(`INSERT INTO hosts (machine_id, hostname) VALUES ('top-tuples', 'top-tuples') RETURNING id`))
      .rows[0]!.id;

    const rnd = random(7);
    const seeded: Row[] = [];
    // Background tuples on random minutes of the week and the day before it, pressure below 0.5.
    for (let i = 0; i < 3000; i++) {
      const minute = Math.floor((from - DAY + rnd() * (8 * DAY)) / MINUTE) * MINUTE;
      if (minute >= to) continue;
      const t = background[Math.floor(rnd() * background.length)]!;
      seeded.push({ ...t, minute, pressure: Math.floor(rnd() * 500) / 1000, held: Math.floor(rnd() * 500) });
    }
    // The tied four: the same two maxima, each reached in a different minute.
    tied.forEach((t, i) => {
      seeded.push({ ...t, minute: from + (2 + i) * DAY, pressure: 0.7, held: 100 });
      seeded.push({ ...t, minute: from + (2 + i) * DAY + 7 * MINUTE, pressure: 0.1, held: 700 });
    });
    // Its peak (the highest of all) only in the minutes past the watermark; low in hour rows.
    seeded.push({ ...pastWatermark, minute: from + 3 * DAY, pressure: 0.2, held: 10 });
    seeded.push({ ...pastWatermark, minute: watermark + 30 * MINUTE, pressure: 0.95, held: 900 });
    // Its peak in the window's first, partial hour (before any whole hour row).
    seeded.push({ ...firstHour, minute: from + 5 * MINUTE, pressure: 0.8, held: 800 });
    seeded.push({ ...firstHour, minute: from + 4 * DAY, pressure: 0.3, held: 30 });
    // Its peak a minute before the window: it must not count.
    seeded.push({ ...beforeWindow, minute: from - MINUTE, pressure: 0.99, held: 990 });
    seeded.push({ ...beforeWindow, minute: from + 4 * DAY, pressure: 0.05, held: 5 });
    // Low when the hours are rolled up; a late snapshot raises it afterwards.
    seeded.push({ ...late, minute: from + DAY + 3 * HOUR, pressure: 0.15, held: 15 });
    // Two rows of one tuple in one minute are one row (maxima), as the writer keeps them.
    const merged = new Map<string, Row>();
    for (const r of seeded) {
      const k = `${r.minute} ${r.localAddress} ${r.remoteAddress} ${r.remotePort}`;
      const m = merged.get(k);
      merged.set(k, m ? { ...m, pressure: Math.max(m.pressure, r.pressure), held: Math.max(m.held, r.held) } : r);
    }
    await store([...merged.values()]);
  });
  afterAll(async () => {
    await pool?.destroy();
    await db?.drop();
  });

  const answer = () => history.rollupTopTupleBuckets(window(), TOP);

  it('answers from the minutes alone before any hour is rolled up', async () => {
    const got = await answer();
    expect(got).toEqual(expected(rows, window()));
    expect(got[0]).toMatchObject(pick(pastWatermark));
  });

  it('gives the same answer once hours up to the watermark are rolled up, ties and the minutes past the watermark included', async () => {
    await rollup(watermark);
    const hourRows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM tuple_hours WHERE host_id = $1', [hostId]);
    expect(hourRows.rows[0]!.n).toBeGreaterThan(0);
    const got = await answer();
    const want = expected(rows, window());
    expect(got).toEqual(want);
    // the cases above are really in the answer: the one past the watermark first, the first hour's
    // tuple second, the tied ones in tie-break order after them
    const order = [...new Map(got.map((b) => [`${b.localAddress} ${b.remoteAddress} ${b.remotePort}`, pick(b)])).values()];
    expect(order).toEqual([pastWatermark, firstHour, tied[2], tied[3], tied[1]]);
    // the hour tier (hour rows up to the watermark, minutes after it) agrees with the minutes too,
    // over whole hours in buckets of whole hours
    const hours = { hostId, from: new Date(Math.ceil(from / HOUR) * HOUR), to: new Date(to), bucketSeconds: 3 * 3600 };
    expect(await history.hourTopTupleBuckets(hours, TOP)).toEqual(expected(rows, hours));
  });

  it('ranks a tuple raised by a late snapshot in an hour already rolled up by its minutes', async () => {
    await store([{ ...late, minute: from + DAY + 3 * HOUR + 2 * MINUTE, pressure: 0.9, held: 850 }]);
    const got = await answer();
    expect(got).toEqual(expected(rows, window()));
    expect(got[0]).toMatchObject(pick(pastWatermark));
    expect(got.find((b) => b.remoteAddress === late.remoteAddress)).toBeDefined();
  });

  it('gives the same answer for windows of other lengths and starts', async () => {
    for (const [start, end, bucketSeconds] of [
      [from + 2 * DAY + 17 * MINUTE, to, 600],
      [from + HOUR, watermark, 3600],
      [from, watermark + HOUR, 540],
      [watermark - 2 * DAY - 23 * MINUTE, watermark + 5 * MINUTE, 300],
      // a day (the host page's default span) and a few hours: ranked from the hour tier too
      [to - DAY, to, 120],
      [from + 4 * DAY - 13 * MINUTE, from + 5 * DAY - 13 * MINUTE, 120],
      [watermark - 5 * HOUR - 7 * MINUTE, watermark + 40 * MINUTE, 60],
      [from + DAY + 2 * HOUR, from + DAY + 5 * HOUR, 60],
    ] as const) {
      const w = { hostId, from: new Date(start), to: new Date(end), bucketSeconds };
      expect(await history.rollupTopTupleBuckets(w, TOP)).toEqual(expected(rows, w));
    }
  });
});
