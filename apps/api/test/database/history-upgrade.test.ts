import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { portReportSchema, type PortReport, type TupleUsage } from '@portpressure/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS_DIR } from '../../src/database/migrator.ts';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import { storedSnapshots } from '../support/stored-history.ts';
import { random } from '../support/seeded-random.ts';

/** The first migration of the compact layout: everything before it is the layout `main` wrote. */
const COMPACT_MIGRATION = '20261204001000_compact_history';
const DAY = 86_400_000;

const ADDRESSES = ['10.0.0.7', '192.168.1.20', '2001:db8::42', 'fe80::1'];

/** Varied reports: IPv4 and IPv6, zero and absent states, pressures off the formula, no tuples at all. */
function reports(count: number, rnd: () => number): PortReport[] {
  const out: PortReport[] = [];
  for (let i = 0; i < count; i++) {
    const bindOwned = Math.floor(rnd() * 5);
    const usable = 100 - bindOwned;
    const n = i % 9 === 0 ? 0 : 1 + Math.floor(rnd() * 12);
    const tuples: TupleUsage[] = Array.from({ length: n }, () => {
      const used = Math.floor(rnd() * usable);
      const timeWait = Math.floor(rnd() * (used + 1));
      const reclaimable = Math.floor(rnd() * (timeWait + 1));
      const states: TupleUsage['states'] = { ESTABLISHED: used - timeWait, TIME_WAIT: timeWait };
      if (rnd() < 0.3) states.CLOSE_WAIT = 0;
      if (rnd() < 0.2) states.SYN_SENT = Math.floor(rnd() * 3);
      const derived = (used - reclaimable) / usable;
      return {
        protocol: 'tcp',
        localAddress: ADDRESSES[Math.floor(rnd() * 2)]!,
        remoteAddress: ADDRESSES[Math.floor(rnd() * 4)]!,
        remotePort: 1 + Math.floor(rnd() * 20),
        used,
        timeWait,
        reclaimable,
        pressure: rnd() < 0.1 ? Math.min(1, derived + 0.000123) : derived,
        states,
      };
    });
    out.push(
      portReportSchema.parse({
        source: i % 2 ? 'proc' : 'netlink',
        range: { low: 40000, high: 40099 },
        reservedPorts: i % 3 ? '' : '8080,40000-40009',
        reservedInRange: 0,
        capacity: 100,
        bindOwned,
        usable,
        hostPortsInUse: tuples.reduce((s, t) => s + t.used, 0) % 100,
        pressure: tuples.reduce((m, t) => Math.max(m, t.pressure), 0),
        sysctls: {
          tcpTwReuse: i % 3,
          tcpTwReuseDelayMs: i % 4 ? 1000 : null,
          tcpTimestamps: 1,
          tcpFinTimeout: 60,
          tcpMaxTwBuckets: 262_144,
        },
        tuples,
        tupleCount: n + (i % 5),
        udp: { used: i % 7, capacity: 100, pressure: (i % 7) / 100 },
      }),
    );
  }
  return out;
}

describe('upgrading a database written by the row-per-tuple layout', () => {
  let db: TestDatabase;
  let oldMigrations: string;
  const hosts = new Map<string, { takenAt: Date; seq: number; report: PortReport }[]>();
  let minutesBefore: unknown[] = [];
  let tupleMinutesBefore: unknown[] = [];

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    oldMigrations = await mkdtemp(path.join(tmpdir(), 'pp-old-migrations-'));
    for (const name of await readdir(MIGRATIONS_DIR)) {
      if (name < COMPACT_MIGRATION) await cp(path.join(MIGRATIONS_DIR, name), path.join(oldMigrations, name), { recursive: true });
    }
    await migrate(db.url, () => undefined, oldMigrations);

    // Rows exactly as the old ingest stored them: a snapshots row and one tuple_samples row per tuple.
    const rnd = random(42);
    const now = Date.now();
    for (let h = 0; h < 3; h++) {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO hosts (machine_id, hostname, last_seq) VALUES ($1, $2, 0) RETURNING id`,
        [`machine-upgrade-${h}`, `upgrade-${h}`],
      );
      const hostId = rows[0]!.id;
      const stored = reports(40, rnd).map((report, k) => ({
        takenAt: new Date(now - 3 * DAY + k * (DAY / 12) + h * 1000),
        seq: k + 1,
        report,
      }));
      hosts.set(hostId, stored);
      for (const s of stored) {
        const r = s.report;
        const { rows: ids } = await db.query<{ id: string }>(
          `INSERT INTO snapshots (host_id, seq, taken_at, source, range_low, range_high, reserved_ports, reserved_in_range, capacity,
             bind_owned, usable, host_ports_in_use, pressure, tuple_count, udp_used, sysctls)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
          [
            hostId,
            s.seq,
            s.takenAt,
            r.source,
            r.range.low,
            r.range.high,
            r.reservedPorts,
            r.reservedInRange,
            r.capacity,
            r.bindOwned,
            r.usable,
            r.hostPortsInUse,
            r.pressure,
            r.tupleCount,
            r.udp.used,
            JSON.stringify(r.sysctls),
          ],
        );
        for (const [ordinal, t] of r.tuples.entries()) {
          await db.query(
            `INSERT INTO tuple_samples (snapshot_id, ordinal, protocol, local_address, remote_address, remote_port, used, time_wait,
               reclaimable, pressure, states) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
            [
              ids[0]!.id,
              ordinal,
              t.protocol,
              t.localAddress,
              t.remoteAddress,
              t.remotePort,
              t.used,
              t.timeWait,
              t.reclaimable,
              t.pressure,
              JSON.stringify(t.states),
            ],
          );
        }
      }
    }
    // and minute rollups, as the old history writer stored them
    const [firstHost] = hosts.keys();
    await db.query(
      `INSERT INTO host_minutes (host_id, minute, pressure, held, usable, host_ports_in_use, time_wait, reclaimable, states, snapshots)
       SELECT $1, date_trunc('minute', now()) - make_interval(mins => k * 97), 0.5, 50, 100, 60, 10, 2, '{"ESTABLISHED": 40, "TIME_WAIT": 10}', 6
       FROM generate_series(0, 59) k`,
      [firstHost],
    );
    await db.query(
      `INSERT INTO tuple_minutes (host_id, minute, protocol, local_address, remote_address, remote_port, pressure, held)
       SELECT $1, date_trunc('minute', now()) - make_interval(mins => k * 97), 'tcp', '10.0.0.7', '2001:db8::42', 443, 0.5, 50
       FROM generate_series(0, 59) k`,
      [firstHost],
    );
    minutesBefore = (await db.query(`SELECT * FROM host_minutes ORDER BY minute`)).rows;
    tupleMinutesBefore = (await db.query(`SELECT * FROM tuple_minutes ORDER BY minute`)).rows;
    await migrate(db.url);
  });

  afterAll(async () => {
    await rm(oldMigrations, { recursive: true, force: true });
    await db?.drop();
  });

  it('reads back every stored snapshot exactly as it was reported', async () => {
    expect(hosts.size).toBe(3);
    for (const [hostId, stored] of hosts) {
      const after = await storedSnapshots(db, hostId);
      expect(after).toEqual(stored.map((s) => ({ seq: s.seq, takenAt: s.takenAt, report: s.report })));
    }
  });

  it('keeps the history in day partitions, none of it in the default partition', async () => {
    const { rows } = await db.query<{ partition: string; n: string }>(
      `SELECT tableoid::regclass::text AS partition, count(*) AS n FROM snapshots GROUP BY 1 ORDER BY 1`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.every((r) => /^snapshots_p\d{8}$/.test(r.partition))).toBe(true);
    expect(rows.reduce((n, r) => n + Number(r.n), 0)).toBe(120);
  });

  it('keeps the minute rollups, now in day partitions', async () => {
    expect(minutesBefore).toHaveLength(60);
    expect((await db.query(`SELECT * FROM host_minutes ORDER BY minute`)).rows).toEqual(minutesBefore);
    expect((await db.query(`SELECT * FROM tuple_minutes ORDER BY minute`)).rows).toEqual(tupleMinutesBefore);
    const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM host_minutes_default`);
    expect(rows[0]!.n).toBe('0');
  });
});
