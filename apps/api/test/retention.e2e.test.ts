import { hostHistorySchema, type HostHistory } from '@portpressure/protocol';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedApi } from '../src/app.ts';
import { HistoryWritesRepository } from '../src/history/history-writes.repository.ts';
import { MinuteRollupBatch } from '../src/history/minute-rollup.ts';
import { summaryFromReport } from '../src/hosts/host-summary.ts';
import { IngestRepository } from '../src/ingest/ingest.repository.ts';
import { MaintenanceService, type MaintenanceReport } from '../src/retention/maintenance.service.ts';
import { startAnotherApi, startApiHarness, type ApiHarness } from './support/api-harness.ts';
import { aReport, aSnapshot, aTuple } from './support/factories.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
// Agents reporting every 15 minutes (offline after 45): the seeded snapshots, 30 minutes apart, leave no silence.
const RETENTION = {
  PORTPRESSURE_INTERVAL_SECONDS: '900',
  PORTPRESSURE_RETENTION_RAW_DAYS: '2',
  PORTPRESSURE_RETENTION_MINUTE_DAYS: '5',
  PORTPRESSURE_RETENTION_HOUR_DAYS: '400',
};
const STEP = 30 * MINUTE;

/** Runs the job at `now`, waiting while another run (the instances' own start-up runs) holds it. */
async function runJob(job: MaintenanceService, now: Date): Promise<MaintenanceReport> {
  for (let i = 0; i < 200; i++) {
    const report = await job.run(now);
    if (report !== null) return report;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the maintenance lock never came free');
}

describe('retention across tiers, on two API instances sharing one PostgreSQL', () => {
  let h: ApiHarness;
  let other: StartedApi;
  let jobA: MaintenanceService;
  let jobB: MaintenanceService;
  const hosts: string[] = [];
  const now = Date.now();
  const firstDay = Math.floor(now / DAY) * DAY - 10 * DAY;
  const spikeAt = firstDay + DAY + 3 * HOUR;
  const runs: MaintenanceReport[] = [];

  beforeAll(async () => {
    h = await startApiHarness(RETENTION);
    other = await startAnotherApi(h, RETENTION);
    jobA = h.api.app.get(MaintenanceService);
    jobB = other.app.get(MaintenanceService);
    const ingest = h.api.app.get(IngestRepository);
    const minutes = h.api.app.get(HistoryWritesRepository);
    for (const name of ['retained-a', 'retained-b']) {
      const { rows } = await h.db.query<{ id: string }>(`INSERT INTO hosts (machine_id, hostname) VALUES ($1, $1) RETURNING id`, [name]);
      hosts.push(rows[0]!.id);
    }
    // Ten days of a deployment, a day at a time: the job runs early each day (clock injected),
    // then that day's snapshots and minute rollups are written by the API's own repositories.
    for (let day = firstDay; day < now; day += DAY) {
      runs.push(await runJob(day % 2 ? jobA : jobB, new Date(Math.min(day + HOUR, now))));
      const rollup = new MinuteRollupBatch();
      const writes = [];
      for (let t = day; t < Math.min(day + DAY, now - MINUTE); t += STEP) {
        for (const [k, hostId] of hosts.entries()) {
          const used = t === spikeAt && k === 0 ? 95 : 20 + ((t / STEP) % 7) + k;
          const snapshot = aSnapshot(
            Math.round(t / 1000),
            aReport({ tuples: [aTuple({ used }), aTuple({ used: 5, remotePort: 6000 })] }),
            new Date(t),
          );
          writes.push({ hostId, snapshot, summary: summaryFromReport(snapshot.report) });
          rollup.add(hostId, snapshot);
        }
      }
      expect((await ingest.storeBatch(writes)).every(Boolean)).toBe(true);
      await minutes.upsertMinutes(rollup.hostRows(), rollup.tupleRows());
    }
    runs.push(await runJob(jobA, new Date(now)));
  });

  afterAll(async () => {
    await other?.close();
    await h?.stop();
  });

  async function history(hostId: string, from: number, to: number): Promise<HostHistory> {
    const res = await h.authedFetch(`/api/hosts/${hostId}/history?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`);
    expect(res.status).toBe(200);
    return hostHistorySchema.parse(await res.json());
  }

  it('drops whole partitions past retention, never touching the DEFAULT partitions', async () => {
    const dropped = runs.flatMap((r) => r.dropped);
    expect(dropped.filter((n) => n.startsWith('snapshots_p')).length).toBeGreaterThanOrEqual(7);
    expect(dropped.filter((n) => n.startsWith('host_minutes_p')).length).toBeGreaterThanOrEqual(4);
    expect(dropped.filter((n) => n.startsWith('host_hours_p'))).toEqual([]);
    expect(runs.reduce((n, r) => n + r.prunedDefaultRows, 0)).toBe(0);
    const { rows } = await h.db.query<{ raw: Date; minutes: Date; hours: Date; inDefault: string }>(
      `SELECT (SELECT min(taken_at) FROM snapshots) AS raw, (SELECT min(minute) FROM host_minutes) AS minutes,
              (SELECT min(hour) FROM host_hours) AS hours,
              (SELECT count(*) FROM snapshots_default) + (SELECT count(*) FROM host_minutes_default) + (SELECT count(*) FROM host_hours_default) AS "inDefault"`,
    );
    const r = rows[0]!;
    expect(r.raw.getTime()).toBeGreaterThanOrEqual(now - 3 * DAY);
    expect(r.raw.getTime()).toBeLessThan(now - 2 * DAY + STEP);
    expect(r.minutes.getTime()).toBeGreaterThanOrEqual(now - 6 * DAY);
    expect(r.minutes.getTime()).toBeLessThan(now - 5 * DAY + STEP);
    expect(r.hours.getTime()).toBe(firstDay); // the hour tier kept what the minute tier dropped
    expect(r.inDefault).toBe('0');
  });

  it('answers a span across all tiers with no gap, the oldest spike included, and names the tier', async () => {
    const all = await history(hosts[0]!, firstDay, now);
    expect(all.tier).toBe('hour');
    expect(all.gaps).toEqual([]);
    // every hour holds data, from the first to the current one
    expect(all.t[0]).toBe(firstDay);
    // (snapshots fall on every half hour before now − 1 min, so the last hour with one is this)
    expect(all.t.length).toBe(Math.floor((now - MINUTE - firstDay) / HOUR) + 1);
    expect(Math.max(...all.held)).toBe(95);
    expect(all.tuples[0]!.tuple.remotePort).toBe(5000);

    expect((await history(hosts[0]!, now - 2 * HOUR, now)).tier).toBe('raw');
    const minuteSpan = await history(hosts[0]!, now - 4 * DAY, now - 4 * DAY + 2 * HOUR);
    expect(minuteSpan.tier).toBe('minute');
    expect(minuteSpan.t.length).toBe(4);
    const hourSpan = await history(hosts[0]!, spikeAt - HOUR, spikeAt + HOUR);
    expect(hourSpan.tier).toBe('hour');
    expect(Math.max(...hourSpan.held)).toBe(95);
  });

  it('is idempotent: running again at the same time changes nothing', async () => {
    const counts = async () =>
      (
        await h.db.query(`SELECT (SELECT count(*) FROM snapshots) s, (SELECT count(*) FROM host_minutes) m, (SELECT count(*) FROM tuple_minutes) tm,
                                (SELECT count(*) FROM host_hours) hh, (SELECT count(*) FROM tuple_hours) th,
                                (SELECT count(*) FROM pg_inherits) p`)
      ).rows[0];
    const before = await counts();
    const again = await runJob(jobB, new Date(now));
    expect(again).toMatchObject({ created: [], dropped: [], prunedDefaultRows: 0, archivedHosts: [] });
    expect(await counts()).toEqual(before);
  });

  it('runs on one instance at a time: while the job lock is held elsewhere, both instances skip', async () => {
    const holder = new pg.Client({ connectionString: h.db.url });
    await holder.connect();
    try {
      const { rows } = await holder.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(7106257031338) AS locked');
      expect(rows[0]!.locked).toBe(true);
      expect(await Promise.all([jobA.run(new Date(now)), jobB.run(new Date(now))])).toEqual([null, null]);
      await holder.query('SELECT pg_advisory_unlock(7106257031338)');
      const results = await Promise.all([jobA.run(new Date(now)), jobB.run(new Date(now))]);
      expect(results.filter((r) => r !== null).length).toBeGreaterThanOrEqual(1);
    } finally {
      await holder.end();
    }
  });

  it('trims the delivery log, resolved incidents and expired sessions, keeping what is recent or pending', async () => {
    const q = (sql: string, values: unknown[] = []) => h.db.query(sql, values);
    const channel = (await q(`INSERT INTO alert_channels (name, type, settings) VALUES ('ops', 'webhook', '{}') RETURNING id`)).rows[0]!
      .id as string;
    const incident = (kind: string, status: string, resolvedDaysAgo: number | null) =>
      q(
        `INSERT INTO alert_incidents (host_id, group_key, rule_name, rule_kind, severity, status, started_at, resolved_at, latest)
         VALUES ($1, $2, 'r', $3, 'warning', $4, now() - interval '200 days', now() - make_interval(days => $5::int), '{}') RETURNING id`,
        [hosts[1], `g-${kind}`, kind, status, resolvedDaysAgo],
      ).then((r) => r.rows[0]!.id as string);
    const oldResolved = await incident('old', 'resolved', 120);
    const recentResolved = await incident('recent', 'resolved', 10);
    // Next attempt in an hour, as for a delivery waiting to retry: the two API instances' delivery
    // workers would otherwise claim the pending one, fail it (the channel has no URL) and let
    // retention delete it as an old failure.
    const delivery = (id: string, status: string, daysAgo: number, incidentId: string | null) =>
      q(
        `INSERT INTO alert_deliveries (notification_id, channel_id, incident_id, kind, payload, status, created_at, next_attempt_at)
         VALUES ($1, $2, $3, 'firing', '{}', $4, now() - make_interval(days => $5::int), now() + interval '1 hour')`,
        [id, channel, incidentId, status, daysAgo],
      );
    await delivery('old-delivered', 'delivered', 40, oldResolved);
    await delivery('old-failed', 'failed', 40, null);
    await delivery('old-pending', 'pending', 40, null);
    await delivery('recent-delivered', 'delivered', 5, oldResolved);
    const user = (await q(`INSERT INTO users (username, password_hash) VALUES ('retention-user', 'x') RETURNING id`)).rows[0]!.id as string;
    await q(
      `INSERT INTO sessions (id, user_id, expires_at) VALUES ('expired', $1, now() - interval '1 hour'), ('live', $1, now() + interval '1 hour')`,
      [user],
    );

    const run = await runJob(jobA, new Date(now));
    expect(run).toMatchObject({ deliveriesDeleted: 2, incidentsDeleted: 1 });
    expect(run.sessionsDeleted).toBeGreaterThanOrEqual(1);
    const left = await q(`SELECT notification_id AS id, incident_id AS "incidentId" FROM alert_deliveries ORDER BY 1`);
    expect(left.rows).toEqual([
      { id: 'old-pending', incidentId: null },
      { id: 'recent-delivered', incidentId: null }, // kept, unlinked from the incident that went
    ]);
    expect((await q(`SELECT id FROM alert_incidents WHERE host_id = $1`, [hosts[1]])).rows.map((r) => r.id)).toEqual([recentResolved]);
    expect((await q(`SELECT id FROM sessions WHERE user_id = $1`, [user])).rows.map((r) => r.id)).toEqual(['live']);
  });
});
