import type { PortReport } from '@portpressure/protocol';
import { decodeReport, TupleDictionary, type TupleKey } from '../../src/history/snapshot-codec.ts';
import type { TestDatabase } from '../../../../test/support/database.ts';

export interface StoredSnapshot {
  seq: number;
  takenAt: Date;
  report: PortReport;
}

/** A host's stored snapshots, decoded as the API reads them, in time order. */
export async function storedSnapshots(db: TestDatabase, hostId: string): Promise<StoredSnapshot[]> {
  const dictionary = new TupleDictionary();
  const tuples = await db.query<{ tupleNo: number } & TupleKey>(
    `SELECT tuple_no AS "tupleNo", protocol, local_address AS "localAddress", remote_address AS "remoteAddress", remote_port AS "remotePort"
     FROM host_tuples WHERE host_id = $1::uuid`,
    [hostId],
  );
  for (const { tupleNo, ...key } of tuples.rows) dictionary.add(tupleNo, key);
  const { rows } = await db.query<{ seq: string; takenAt: Date; pressure: number; usable: number; hostPortsInUse: number; report: Buffer }>(
    `SELECT seq, taken_at AS "takenAt", pressure, usable, host_ports_in_use AS "hostPortsInUse", report
     FROM snapshots WHERE host_id = $1::uuid ORDER BY taken_at, seq`,
    [hostId],
  );
  return rows.map((r) => ({ seq: Number(r.seq), takenAt: r.takenAt, report: decodeReport(r.report, r, (n) => dictionary.tupleOf(n)) }));
}
