import type { NamespaceInfo, SnapshotV2 } from '@portpressure/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbService } from '../../src/database/db.service.ts';
import { summaryFromReport } from '../../src/hosts/host-summary.ts';
import { IngestRepository } from '../../src/ingest/ingest.repository.ts';
import { SnapshotWriter } from '../../src/ingest/snapshot-writer.ts';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import { aReport, aSnapshot, aTuple } from '../support/factories.ts';

const T0 = 1_800_000_000_000;
const at = (seq: number) => new Date(T0 + seq * 1000);

function info(inode: number, host = false): NamespaceInfo {
  return { inode, name: host ? null : `ns-${inode}`, host, processes: 1, pod: null, containers: [] };
}

/** A version 2 snapshot whose other namespaces hold `used` of 100 ports toward one service. */
function v2(seq: number, used: Record<number, number>): SnapshotV2 {
  return {
    ...aSnapshot(seq, aReport({ tuples: [aTuple({ used: 5 })] }), at(seq)),
    namespace: info(1, true),
    namespaces: Object.entries(used).map(([inode, n]) => ({
      namespace: info(Number(inode)),
      report: aReport({ tuples: [aTuple({ used: n, remotePort: 6000 + Number(inode) })] }),
    })),
    skipped: [],
  };
}

interface Row {
  ns_no: number;
  inode: string;
  first_seen_at: Date;
  last_seen_at: Date;
  gone_at: Date | null;
  pressure: number;
  latest_seq: string;
}

/** The repository behind the writer, against a real migrated PostgreSQL (no API around it). */
describe('namespaces stored with their snapshots', () => {
  let db: TestDatabase;
  let pool: DbService;
  let hostId: string;

  const rows = async () =>
    (
      await db.query<Row>(
        `SELECT ns_no, inode, first_seen_at, last_seen_at, gone_at, pressure, latest_seq FROM host_namespaces WHERE host_id = $1 ORDER BY ns_no`,
        [hostId],
      )
    ).rows;
  const samples = async () =>
    Object.fromEntries(
      (
        await db.query<{ ns_no: number; n: number }>(
          'SELECT ns_no, count(*)::int AS n FROM namespace_snapshots WHERE host_id = $1 GROUP BY 1',
          [hostId],
        )
      ).rows.map((r) => [r.ns_no, r.n]),
    );
  const worst = async () =>
    (await db.query<{ w: { id: string; pressure: number } | null }>('SELECT worst_namespace AS w FROM hosts WHERE id = $1', [hostId]))
      .rows[0]!.w;
  const writerOf = (repository: IngestRepository) => new SnapshotWriter(repository);
  const write = (writer: SnapshotWriter, snapshot: SnapshotV2 | ReturnType<typeof aSnapshot>) =>
    writer.write({ hostId, snapshot, summary: summaryFromReport(snapshot.report) });

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new DbService({ databaseUrl: db.url });
    hostId = (await db.query<{ id: string }>(`INSERT INTO hosts (machine_id, hostname) VALUES ('ns-host', 'ns-host') RETURNING id`))
      .rows[0]!.id;
  });
  afterAll(async () => {
    await pool?.destroy();
    await db?.drop();
  });

  it('numbers each namespace, keeps its reports, and marks one gone when a snapshot comes without it', async () => {
    const writer = writerOf(new IngestRepository(pool));
    // Written together, so they share batches: the namespaces' final state is what the last one says.
    expect(
      await Promise.all([write(writer, v2(1, { 7: 50, 8: 60 })), write(writer, v2(2, { 7: 55, 8: 60 })), write(writer, v2(3, { 7: 90 }))]),
    ).toEqual([true, true, true]);
    expect(await rows()).toEqual([
      { ns_no: 1, inode: '7', first_seen_at: at(1), last_seen_at: at(3), gone_at: null, pressure: 0.9, latest_seq: '3' },
      { ns_no: 2, inode: '8', first_seen_at: at(1), last_seen_at: at(2), gone_at: at(3), pressure: 0.6, latest_seq: '2' },
    ]);
    expect(await samples()).toEqual({ 1: 3, 2: 2 });
    expect(await worst()).toMatchObject({ id: '1', inode: 7, pressure: 0.9, usable: 100, label: 'netns ns-7' });

    // A resend (the ack was lost) stores nothing and changes no namespace.
    expect(await write(writer, v2(2, { 7: 55, 8: 60 }))).toBe(false);
    expect((await rows()).map((r) => [r.ns_no, r.gone_at])).toEqual([
      [1, null],
      [2, at(3)],
    ]);
    expect(await samples()).toEqual({ 1: 3, 2: 2 });
  });

  it('gives an inode that comes back after it was gone a new number, also on another API instance', async () => {
    const other = writerOf(new IngestRepository(pool));
    expect(await write(other, v2(4, { 7: 10, 8: 20 }))).toBe(true);
    const after = await rows();
    expect(after.map((r) => [r.ns_no, r.inode, r.gone_at])).toEqual([
      [1, '7', null],
      [2, '8', at(3)],
      [3, '8', null],
    ]);
    expect(after[2]!.first_seen_at).toEqual(at(4));
    expect(await worst()).toMatchObject({ id: '3', pressure: 0.2 });
  });

  it('leaves the namespaces as they were for a version 1 snapshot', async () => {
    const writer = writerOf(new IngestRepository(pool));
    expect(await write(writer, aSnapshot(5, aReport(), at(5)))).toBe(true);
    expect((await rows()).map((r) => [r.ns_no, r.gone_at, r.latest_seq])).toEqual([
      [1, null, '4'],
      [2, at(3), '2'],
      [3, null, '4'],
    ]);
    expect(await worst()).toMatchObject({ id: '3' });
  });
});
