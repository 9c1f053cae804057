/**
 * `npm run bench:storage`: bytes on disk per snapshot in each history tier, and the steady-state
 * size of a fleet under the default retention.
 *
 * 1. Starts an embedded PostgreSQL in a temporary folder and the real API as a child process.
 * 2. Enrolls AGENTS simulated agents (real enrollment, one WebSocket and credential each) that send
 *    SNAPSHOTS snapshots in all, 50 tuples each, 10 s apart in the agent's time (the last one now),
 *    with realistic movement: most tuples persist from one snapshot to the next and their counts
 *    drift; now and then one disappears and another appears; a few hosts leak ports steadily.
 * 3. Waits for the minute rollups, runs the hour rollup as the maintenance job does, then reads
 *    pg_total_relation_size (tables, indexes, TOAST) of every partition of each tier.
 * 4. Prints bytes per snapshot per tier and the projected size for 1,000 and 10,000 hosts at
 *    10 s under the default retention, against the target of ≤ 1,000 bytes per raw snapshot.
 *
 * Options: --agents N (200) --snapshots N (100000) --tuples N (50) --window N (8) --keep
 */
import type { ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { PortReport, ServerMessage, TupleUsage } from '@portpressure/protocol';
import pg from 'pg';
import { apiEnvSchema } from '../apps/api/src/config/config.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../apps/api/src/database/embedded-postgres.ts';
import { startFleetApiProcess } from './api-process.ts';
import { aRangeReport, DEFAULT_RANGE_USABLE } from './bench-report.ts';
import { enrollAndHello } from './bench-agent-socket.ts';

const TARGET_BYTES_PER_SNAPSHOT = 1000;
const INTERVAL_S = 10;

const { values: opts } = parseArgs({
  options: {
    agents: { type: 'string', default: '200' },
    snapshots: { type: 'string', default: '100000' },
    tuples: { type: 'string', default: '50' },
    window: { type: 'string', default: '8' },
    keep: { type: 'boolean', default: false },
  },
});
const AGENTS = Number(opts.agents);
const TOTAL = Number(opts.snapshots);
const TUPLES = Number(opts.tuples);
const WINDOW = Number(opts.window);
const PER_AGENT = Math.ceil(TOTAL / AGENTS);
const say = (message: string) => console.log(`[bench] ${message}`);

/** A small deterministic generator per agent, so runs are comparable. */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

interface LiveTuple {
  remoteAddress: string;
  remotePort: number;
  used: number;
  leaking: boolean;
}

const USABLE = DEFAULT_RANGE_USABLE;

/** One host's tuples moving over time: drift, churn, and on leaking hosts one tuple that only grows. */
class HostModel {
  private readonly rnd: () => number;
  private readonly tuples: LiveTuple[] = [];
  private next = 0;
  readonly local: string;

  constructor(readonly index: number) {
    this.rnd = random(index * 7919 + 1);
    this.local = `10.${index >> 8}.${index & 255}.1`;
    for (let i = 0; i < TUPLES + 10; i++) this.tuples.push(this.fresh());
    if (index % 20 === 0) this.tuples[0]!.leaking = true;
  }

  private fresh(): LiveTuple {
    this.next += 1;
    const service = Math.floor(this.rnd() * 40);
    return {
      remoteAddress: `172.16.${service}.${1 + (this.next % 200)}`,
      remotePort: [443, 5432, 6379, 9092, 8080][service % 5]!,
      used: 1 + Math.floor(this.rnd() * 300),
      leaking: false,
    };
  }

  report(): PortReport {
    for (const t of this.tuples) {
      if (t.leaking) t.used = Math.min(USABLE, t.used + 3);
      else t.used = Math.max(1, Math.min(2000, t.used + Math.round((this.rnd() - 0.5) * 8)));
    }
    // now and then a tuple goes away and another appears
    if (this.rnd() < 0.2) {
      const i = 1 + Math.floor(this.rnd() * (this.tuples.length - 1));
      if (!this.tuples[i]!.leaking) this.tuples[i] = this.fresh();
    }
    const tuples: TupleUsage[] = this.tuples.map((t) => {
      const timeWait = Math.floor(t.used * 0.4);
      const reclaimable = Math.floor(timeWait / 4);
      const states: TupleUsage['states'] = { ESTABLISHED: t.used - timeWait, TIME_WAIT: timeWait };
      return {
        protocol: 'tcp',
        localAddress: this.local,
        remoteAddress: t.remoteAddress,
        remotePort: t.remotePort,
        used: t.used,
        timeWait,
        reclaimable,
        pressure: Math.min(1, Math.max(0, (t.used - reclaimable) / USABLE)),
        states,
      };
    });
    tuples.sort((a, b) => b.pressure - a.pressure || b.used - a.used);
    const listed = tuples.slice(0, TUPLES);
    return aRangeReport(listed, {
      hostPortsInUse: Math.min(
        USABLE,
        tuples.reduce((n, t) => n + t.used, 0),
      ),
      sysctls: { tcpTwReuse: 2, tcpTwReuseDelayMs: null, tcpTimestamps: 1, tcpFinTimeout: 60, tcpMaxTwBuckets: 262_144 },
      tupleCount: tuples.length,
    });
  }
}

/** An agent replaying its history as fast as its window and the server's rate limit allow. */
async function runAgent(index: number, url: string, token: string, start: number, onAck: () => void): Promise<void> {
  const host = { machineId: `storage${String(index).padStart(25, '0')}`, hostname: `storage-${index}`, labels: { bench: 'storage' } };
  const { socket, maxFramesPerSecond } = await enrollAndHello(url, token, host);
  const minGapMs = 1000 / Math.max(1, maxFramesPerSecond * 0.8);
  const model = new HostModel(index);
  let seq = 0;
  let acked = 0;
  let inFlight = 0;
  let lastSent = 0;
  await new Promise<void>((resolve, reject) => {
    const pump = () => {
      while (inFlight < WINDOW && seq < PER_AGENT) {
        const now = performance.now();
        if (now - lastSent < minGapMs) return void setTimeout(pump, minGapMs - (now - lastSent));
        lastSent = now;
        seq += 1;
        inFlight += 1;
        const takenAt = new Date(start + seq * INTERVAL_S * 1000).toISOString();
        socket.send(JSON.stringify({ type: 'snapshot', seq, takenAt, report: model.report() }));
      }
    };
    socket.on('message', (data) => {
      const m = JSON.parse(data.toString()) as ServerMessage;
      if (m.type === 'ack') {
        inFlight -= 1;
        acked += 1;
        onAck();
        if (acked >= PER_AGENT) {
          socket.close();
          resolve();
        } else pump();
      } else if (m.type === 'error') reject(new Error(`agent ${index}: ${m.code} ${m.message}`));
    });
    socket.on('close', (code) => (acked < PER_AGENT ? reject(new Error(`agent ${index} disconnected: ${code}`)) : resolve()));
    pump();
  });
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;

async function main(): Promise<void> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'portpressure-bench-storage-'));
  await chmod(tmp, 0o755);
  let db: EmbeddedDatabase | undefined;
  let api: ChildProcess | undefined;
  try {
    say(
      `${AGENTS} agents × ${PER_AGENT} snapshots of ${TUPLES} tuples (${AGENTS * PER_AGENT} in all), ${INTERVAL_S} s apart in agent time`,
    );
    db = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), database: 'bench_storage' });
    const started = await startFleetApiProcess({
      databaseUrl: db.url,
      logFile: path.join(tmp, 'api.log'),
    });
    api = started.child;
    const start = Date.now() - PER_AGENT * INTERVAL_S * 1000;
    let acked = 0;
    const t0 = performance.now();
    const progress = setInterval(
      () => say(`${acked} snapshots acked, ${((acked * 1000) / (performance.now() - t0)).toFixed(0)}/s`),
      10_000,
    );
    try {
      const running: Promise<void>[] = [];
      for (let i = 0; i < AGENTS; i++) {
        running.push(runAgent(i, started.url, started.enrollmentToken, start, () => (acked += 1)));
        if (i % 20 === 19) await new Promise((r) => setTimeout(r, 100)); // enroll in waves, as a fleet coming up would
      }
      await Promise.all(running);
    } finally {
      clearInterval(progress);
    }
    say(`stored ${acked} snapshots in ${((performance.now() - t0) / 1000).toFixed(0)} s; waiting for the minute rollups…`);

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      // the history writer writes a minute's tuple rows once the minute is over, within ~15 s
      const lastMinute = new Date(Math.floor((start + PER_AGENT * INTERVAL_S * 1000) / 60_000) * 60_000 - 60_000);
      for (let i = 0; i < 60; i++) {
        const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM tuple_minutes WHERE minute >= $1', [lastMinute]);
        if (Number(rows[0]!.n) > 0) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      // the hour rollup, as the maintenance job computes it (here over every stored minute)
      await client.query(`
        INSERT INTO host_hours (host_id, hour, pressure, held, usable, host_ports_in_use, time_wait, reclaimable, states, snapshots)
        SELECT host_id, date_bin('1 hour', minute, timestamptz '2000-01-01'), max(pressure), max(held), min(usable), max(host_ports_in_use),
          max(time_wait), max(reclaimable), jsonb_build_object('ESTABLISHED', max((states->>'ESTABLISHED')::int), 'TIME_WAIT', max((states->>'TIME_WAIT')::int)), sum(snapshots)
        FROM host_minutes GROUP BY 1, 2 ON CONFLICT DO NOTHING`);
      await client.query(`
        INSERT INTO tuple_hours SELECT host_id, date_bin('1 hour', minute, timestamptz '2000-01-01'), protocol, local_address, remote_address, remote_port,
          max(pressure), max(held) FROM tuple_minutes GROUP BY 1, 2, 3, 4, 5, 6 ON CONFLICT DO NOTHING`);
      await client.query('VACUUM ANALYZE');
      const size = async (table: string) => {
        const { rows } = await client.query<{ bytes: string; n: string }>(
          `SELECT (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c
                   WHERE c.oid = $1::regclass OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = $1::regclass)) AS bytes,
                  (SELECT count(*) FROM ${table}) AS n`,
          [table],
        );
        return { bytes: Number(rows[0]!.bytes), rows: Number(rows[0]!.n) };
      };
      const snapshots = await size('snapshots');
      const dictionary = await size('host_tuples');
      const hostMinutes = await size('host_minutes');
      const tupleMinutes = await size('tuple_minutes');
      const hostHours = await size('host_hours');
      const tupleHours = await size('tuple_hours');

      const defaults = apiEnvSchema.parse({ DATABASE_URL: 'postgres://x' });
      const rawBytes = snapshots.bytes + dictionary.bytes;
      const perSnapshot = rawBytes / snapshots.rows;
      const perHostMinute = (hostMinutes.bytes + tupleMinutes.bytes) / hostMinutes.rows;
      const perHostHour = (hostHours.bytes + tupleHours.bytes) / hostHours.rows;
      const perHostDay = {
        raw: (perSnapshot * 86_400) / INTERVAL_S,
        minute: perHostMinute * 1440,
        hour: perHostHour * 24,
      };
      const steady = (hosts: number) => ({
        raw: perHostDay.raw * defaults.PORTPRESSURE_RETENTION_RAW_DAYS * hosts,
        minute: perHostDay.minute * defaults.PORTPRESSURE_RETENTION_MINUTE_DAYS * hosts,
        hour: perHostDay.hour * defaults.PORTPRESSURE_RETENTION_HOUR_DAYS * hosts,
      });

      console.log('');
      console.log('storage benchmark: real API + agents over WebSocket, embedded PostgreSQL, pg_total_relation_size of every partition');
      console.log(
        `  raw tier          ${snapshots.rows} snapshots: ${mb(snapshots.bytes)} + tuple dictionary (${dictionary.rows} tuples) ${mb(dictionary.bytes)}`,
      );
      console.log(`                    = ${perSnapshot.toFixed(0)} bytes per ${TUPLES}-tuple snapshot`);
      console.log(
        `  minute tier       ${hostMinutes.rows} host-minutes ${mb(hostMinutes.bytes)} + ${tupleMinutes.rows} tuple-minutes ${mb(tupleMinutes.bytes)}`,
      );
      console.log(
        `                    = ${perHostMinute.toFixed(0)} bytes per host-minute (${(perHostMinute / (60 / INTERVAL_S)).toFixed(0)} per snapshot at ${INTERVAL_S} s)`,
      );
      console.log(
        `  hour tier         ${hostHours.rows} host-hours ${mb(hostHours.bytes)} + ${tupleHours.rows} tuple-hours ${mb(tupleHours.bytes)}`,
      );
      console.log(`                    = ${perHostHour.toFixed(0)} bytes per host-hour (small sample: partition overhead weighs in)`);
      console.log(
        `  default retention raw ${defaults.PORTPRESSURE_RETENTION_RAW_DAYS} d, minutes ${defaults.PORTPRESSURE_RETENTION_MINUTE_DAYS} d, ` +
          `hours ${defaults.PORTPRESSURE_RETENTION_HOUR_DAYS} d; per host and day: raw ${mb(perHostDay.raw)}, minutes ${mb(perHostDay.minute)}, hours ${mb(perHostDay.hour)}`,
      );
      for (const hosts of [1_000, 10_000]) {
        const s = steady(hosts);
        console.log(
          `  steady state ${hosts.toLocaleString('en').padStart(6)} hosts at ${INTERVAL_S} s: raw ${gb(s.raw)} + minutes ${gb(s.minute)} + hours ${gb(s.hour)} = ${gb(s.raw + s.minute + s.hour)}`,
        );
      }
      const ok = perSnapshot <= TARGET_BYTES_PER_SNAPSHOT;
      console.log(
        `  target            ≤ ${TARGET_BYTES_PER_SNAPSHOT} bytes per ${TUPLES}-tuple snapshot in the raw tier: ${ok ? 'met' : 'NOT met'} (${perSnapshot.toFixed(0)})`,
      );
    } finally {
      await client.end();
    }
  } finally {
    if (api && api.exitCode === null) {
      const exited = new Promise((r) => api!.once('exit', r));
      api.disconnect();
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    }
    await db?.stop().catch(() => undefined);
    if (!opts.keep) await rm(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`[bench] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
