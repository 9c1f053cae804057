import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbService } from '../../src/database/db.service.ts';
import { LatestTuplesRepository } from '../../src/history/latest-tuples.repository.ts';
import { summaryFromReport } from '../../src/hosts/host-summary.ts';
import { IngestRepository, type SnapshotWrite } from '../../src/ingest/ingest.repository.ts';
import { SnapshotWriter } from '../../src/ingest/snapshot-writer.ts';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import { aReport, aSnapshot, aTuple } from '../support/factories.ts';
import { storedSnapshots } from '../support/stored-history.ts';

/** The writer and repository against a real, migrated PostgreSQL database (no API around them). */
describe('SnapshotWriter and IngestRepository on PostgreSQL', () => {
  let db: TestDatabase;
  let pool: DbService;
  let writer: SnapshotWriter;
  const hosts: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new DbService({ databaseUrl: db.url });
    writer = new SnapshotWriter(new IngestRepository(pool));
    for (let i = 0; i < 5; i++) {
      const { rows } = await db.query<{ id: string }>(`INSERT INTO hosts (machine_id, hostname) VALUES ($1, $1) RETURNING id`, [
        `writer-test-${i}`,
      ]);
      hosts.push(rows[0]!.id);
    }
  });
  afterAll(async () => {
    await pool?.destroy();
    await db?.drop();
  });

  const write = (hostId: string, seq: number, used = 10): SnapshotWrite => {
    const snapshot = aSnapshot(
      seq,
      aReport({ tuples: [aTuple({ used }), aTuple({ used: 1, remotePort: 6000 })] }),
      new Date(1_800_000_000_000 + seq * 1000),
    );
    return { hostId, snapshot, summary: summaryFromReport(snapshot.report) };
  };

  it('stores many concurrent snapshots once each, every host in the order written, with their tuples', async () => {
    const results = await Promise.all(hosts.flatMap((h) => Array.from({ length: 40 }, (_, i) => writer.write(write(h, i + 1, i + 1)))));
    expect(results.every(Boolean)).toBe(true);
    const again = await Promise.all(hosts.map((h) => writer.write(write(h, 7))));
    expect(again).toEqual(hosts.map(() => false)); // resends are not stored twice
    for (const h of hosts) {
      const rows = await storedSnapshots(db, h);
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(rows.map((r) => r.report.tuples.map((t) => t.used))).toEqual(Array.from({ length: 40 }, (_, i) => [i + 1, 1]));
      const host = await db.query<{ last_seq: string; worst: number }>(
        `SELECT last_seq, (summary->'worstTuple'->>'used')::int AS worst FROM hosts WHERE id = $1`,
        [h],
      );
      expect(host.rows[0]).toEqual({ last_seq: '40', worst: 40 }); // the newest snapshot leads
    }
  });

  it('leaves stored seqs out of a reported gap: a snapshot stored whose ack was lost, then dropped by the agent, was not lost', async () => {
    const repository = new IngestRepository(pool);
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO hosts (machine_id, hostname) VALUES ('gap-test', 'gap-test') RETURNING id`,
    );
    const hostId = rows[0]!.id;
    for (let seq = 1; seq <= 5; seq++) expect(await writer.write(write(hostId, seq))).toBe(true);
    const gaps = async () =>
      (
        await db.query<{ f: string; t: string }>('SELECT from_seq AS f, to_seq AS t FROM snapshot_gaps WHERE host_id = $1 ORDER BY 1', [
          hostId,
        ])
      ).rows;
    // 4 and 5 were stored: only 6 and 7 are missing
    expect(await repository.recordGap(hostId, 4, 7)).toBe(2);
    expect(await gaps()).toEqual([{ f: '6', t: '7' }]);
    // a gap made only of stored seqs records nothing; the same gap again counts once
    expect(await repository.recordGap(hostId, 2, 5)).toBe(2);
    expect(await repository.recordGap(hostId, 6, 7)).toBe(2);
    expect(await gaps()).toEqual([{ f: '6', t: '7' }]);
    // the agent's later drops are counted as before
    expect(await repository.recordGap(hostId, 9, 9)).toBe(3);
  });

  it('fails only the snapshot the database refuses, not the rest of its batch', async () => {
    const unknownHost = '00000000-0000-4000-8000-000000000000'; // violates snapshots_host_id_fkey
    const outcomes = await Promise.allSettled([
      writer.write(write(hosts[0]!, 100)),
      writer.write(write(unknownHost, 1)),
      writer.write(write(hosts[1]!, 100)),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM snapshots WHERE seq = 100');
    expect(rows[0]!.n).toBe('2');
    const orphans = await db.query<{ n: string }>('SELECT count(*) AS n FROM host_tuples WHERE host_id = $1', [unknownHost]);
    expect(orphans.rows[0]!.n).toBe('0');
    // the refused batch's dictionary numbers were never used: the next snapshots decode
    await writer.write(write(hosts[0]!, 101));
    expect((await storedSnapshots(db, hosts[0]!)).at(-1)!.report.tuples).toHaveLength(2);
  });

  it('stores a (host, seq) repeated within one batch once, with its tuples once', async () => {
    const [first, second] = await Promise.all([writer.write(write(hosts[2]!, 200)), writer.write(write(hosts[2]!, 200))]);
    expect([first, second]).toEqual([true, false]);
    const rows = (await storedSnapshots(db, hosts[2]!)).filter((s) => s.seq === 200);
    expect(rows.map((s) => s.report.tuples.length)).toEqual([2]);
  });

  it('stores a (host, seq) once even when it comes again with another takenAt (the caller tells a clash from a resend)', async () => {
    const first = write(hosts[3]!, 300);
    expect(await writer.write(first)).toBe(true);
    const clash = {
      ...first,
      snapshot: { ...first.snapshot, takenAt: new Date(Date.parse(first.snapshot.takenAt) + 5_000).toISOString() },
    };
    expect(await writer.write(clash)).toBe(false);
    const rows = (await storedSnapshots(db, hosts[3]!)).filter((s) => s.seq === 300);
    expect(rows.map((s) => s.takenAt.toISOString())).toEqual([first.snapshot.takenAt]);
  });
});

describe('the worst tuples of each host’s latest snapshot', () => {
  it('reads the first k tuples of the newest snapshot of every host, decoded, without the older ones', async () => {
    const db = await createTestDatabase();
    const pool = new DbService({ databaseUrl: db.url });
    try {
      const writer = new SnapshotWriter(new IngestRepository(pool));
      const ids: string[] = [];
      for (const name of ['latest-a', 'latest-b', 'latest-silent']) {
        ids.push(
          (await db.query<{ id: string }>(`INSERT INTO hosts (machine_id, hostname) VALUES ($1, $1) RETURNING id`, [name])).rows[0]!.id,
        );
      }
      const at = (s: number) => new Date(1_800_000_000_000 + s * 1000);
      const snap = (hostId: string, seq: number, used: number[]) => {
        const snapshot = aSnapshot(seq, aReport({ tuples: used.map((u, i) => aTuple({ used: u, remotePort: 7000 + i })) }), at(seq));
        return writer.write({ hostId, snapshot, summary: summaryFromReport(snapshot.report) });
      };
      await snap(ids[0]!, 1, [90, 80, 70]);
      await snap(ids[0]!, 2, [60, 50, 40]); // the newest: only its tuples count
      await snap(ids[1]!, 1, [30]);
      const rows = await new LatestTuplesRepository(pool).topTuples(2);
      const expected = [
        { hostId: ids[0]!, used: [60, 50] },
        { hostId: ids[1]!, used: [30] },
      ].sort((a, b) => (a.hostId < b.hostId ? -1 : 1));
      expect(expected.map((e) => ({ hostId: e.hostId, used: rows.filter((r) => r.hostId === e.hostId).map((r) => r.used) }))).toEqual(
        expected,
      );
      expect(rows.map((r) => r.hostId)).toEqual(expected.flatMap((e) => e.used.map(() => e.hostId)));
      expect(rows[0]).toMatchObject({ protocol: 'tcp', localAddress: '127.0.0.1', remoteAddress: '127.0.0.1' });
      expect(await new LatestTuplesRepository(pool).topTuples(0)).toEqual([]);
    } finally {
      await pool.destroy();
      await db.drop();
    }
  });
});
