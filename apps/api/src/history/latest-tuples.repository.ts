import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { type Db, DbService } from '../database/db.service.ts';
import { scanTuples, type TupleKey } from './snapshot-codec.ts';

/** One of the worst tuples of a host's latest snapshot. */
export interface LatestTupleRow extends TupleKey {
  hostId: string;
  used: number;
  timeWait: number;
  reclaimable: number;
  pressure: number;
}

/**
 * The worst tuples of every host's latest snapshot, for readers that export the fleet's current
 * state (e.g. a metrics endpoint) without knowing how snapshots are stored. Two queries whatever
 * the fleet size: the latest compact snapshot of each host (through its key), then the dictionary
 * entries of only the tuples kept.
 */
@Injectable()
export class LatestTuplesRepository {
  constructor(@Inject(DbService) private readonly db: Db) {}

  /** The first `k` tuples (the agent lists them worst first) of each host's latest snapshot, by host id then rank. */
  topTuples(k: number): Promise<LatestTupleRow[]> {
    return this.tuplesOf(null, k);
  }

  /**
   * The first `k` listed tuples (all by default) of the latest snapshot of these hosts (every
   * host when null), by host id then rank.
   */
  async tuplesOf(ids: readonly string[] | null, k = Number.POSITIVE_INFINITY): Promise<LatestTupleRow[]> {
    if (k <= 0 || ids?.length === 0) return [];
    const { rows } = await sql<{ hostId: string; usable: number; report: Buffer }>`
      SELECT h.id AS "hostId", latest.usable, latest.report
       FROM hosts h
       CROSS JOIN LATERAL (
         SELECT s.usable, s.report FROM snapshots s WHERE s.host_id = h.id AND s.taken_at = h.latest_taken_at ORDER BY s.seq DESC LIMIT 1
       ) latest
       WHERE h.latest_taken_at IS NOT NULL AND (${ids}::uuid[] IS NULL OR h.id = ANY(${ids}::uuid[]))
       ORDER BY h.id`.execute(this.db);
    const picked: (Omit<LatestTupleRow, keyof TupleKey> & { tupleNo: number })[] = [];
    for (const r of rows) {
      let rank = 0;
      scanTuples(r.report, r.usable, (tupleNo, used, timeWait, reclaimable, pressure) => {
        if (rank++ < k) picked.push({ hostId: r.hostId, tupleNo, used, timeWait, reclaimable, pressure });
      });
    }
    if (picked.length === 0) return [];
    const hostIds = picked.map((p) => p.hostId);
    const tupleNos = picked.map((p) => p.tupleNo);
    const { rows: keys } = await sql<TupleKey & { hostId: string; tupleNo: number }>`
      SELECT d.host_id AS "hostId", d.tuple_no AS "tupleNo", d.protocol, d.local_address AS "localAddress",
         d.remote_address AS "remoteAddress", d.remote_port AS "remotePort"
       FROM host_tuples d JOIN unnest(${hostIds}::uuid[], ${tupleNos}::int[]) AS w(host_id, tuple_no) ON d.host_id = w.host_id AND d.tuple_no = w.tuple_no`.execute(
      this.db,
    );
    const keyOf = new Map(keys.map((x) => [`${x.hostId}/${x.tupleNo}`, x]));
    return picked.flatMap(({ tupleNo, ...p }) => {
      const key = keyOf.get(`${p.hostId}/${tupleNo}`);
      return key
        ? [
            {
              hostId: p.hostId,
              protocol: key.protocol,
              localAddress: key.localAddress,
              remoteAddress: key.remoteAddress,
              remotePort: key.remotePort,
              used: p.used,
              timeWait: p.timeWait,
              reclaimable: p.reclaimable,
              pressure: p.pressure,
            },
          ]
        : [];
    });
  }
}
