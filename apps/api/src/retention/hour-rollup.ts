/**
 * The hour rollup's SQL and the maintenance job's constants, in a module without NestJS so that
 * scripts (bench:web's seeding) run exactly what the job runs.
 */

/** Any fixed 64-bit key: the maintenance job runs on one API instance at a time. */
export const MAINTENANCE_LOCK_KEY = '7106257031338';

/**
 * An hour is rolled up once it ended this long ago: its last minute rows are written a few seconds
 * after the minute (history writer), and agents may report a little late.
 */
export const HOUR_ROLLUP_GRACE_MS = 5 * 60_000;

/** Host rows of the hours in [$1, $2) from their minute rows (recomputed whole: idempotent). */
export const HOUR_ROLLUP_SQL = `
  WITH h AS (
    SELECT host_id, date_bin('1 hour', minute, timestamptz '2000-01-01 00:00:00+00') AS hour,
      max(pressure) AS pressure, max(held) AS held, min(usable) AS usable, max(host_ports_in_use) AS host_ports_in_use,
      max(time_wait) AS time_wait, max(reclaimable) AS reclaimable, sum(snapshots)::int AS snapshots
    FROM host_minutes WHERE minute >= $1 AND minute < $2 GROUP BY 1, 2
  ),
  s AS (
    SELECT host_id, hour, jsonb_object_agg(key, n) AS states FROM (
      SELECT host_id, date_bin('1 hour', minute, timestamptz '2000-01-01 00:00:00+00') AS hour, e.key, max(e.value::int) AS n
      FROM host_minutes, jsonb_each_text(states) AS e WHERE minute >= $1 AND minute < $2 GROUP BY 1, 2, 3) k
    GROUP BY 1, 2
  )
  INSERT INTO host_hours AS t (host_id, hour, pressure, held, usable, host_ports_in_use, time_wait, reclaimable, states, snapshots)
  SELECT h.host_id, h.hour, h.pressure, h.held, h.usable, h.host_ports_in_use, h.time_wait, h.reclaimable,
    coalesce(s.states, '{}'::jsonb), h.snapshots
  FROM h LEFT JOIN s USING (host_id, hour)
  ON CONFLICT (host_id, hour) DO UPDATE SET
    pressure = EXCLUDED.pressure, held = EXCLUDED.held, usable = EXCLUDED.usable, host_ports_in_use = EXCLUDED.host_ports_in_use,
    time_wait = EXCLUDED.time_wait, reclaimable = EXCLUDED.reclaimable, states = EXCLUDED.states, snapshots = EXCLUDED.snapshots`;

/** Tuple rows of the hours in [$1, $2) from their minute rows. */
export const TUPLE_HOUR_ROLLUP_SQL = `
  INSERT INTO tuple_hours AS t (host_id, hour, protocol, local_address, remote_address, remote_port, pressure, held)
  SELECT host_id, date_bin('1 hour', minute, timestamptz '2000-01-01 00:00:00+00'), protocol, local_address, remote_address, remote_port,
    max(pressure), max(held)
  FROM tuple_minutes WHERE minute >= $1 AND minute < $2
  GROUP BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (host_id, hour, protocol, local_address, remote_address, remote_port) DO UPDATE SET
    pressure = EXCLUDED.pressure, held = EXCLUDED.held`;

/** Moves the hour tier's watermark to $1 (never back). */
export const HOUR_WATERMARK_SQL = `
  INSERT INTO rollup_watermarks (tier, until) VALUES ('hour', $1)
  ON CONFLICT (tier) DO UPDATE SET until = GREATEST(rollup_watermarks.until, EXCLUDED.until)`;
