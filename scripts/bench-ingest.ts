/**
 * `npm run bench:ingest`: how many snapshots per second the real API stores, next to PostgreSQL's
 * own COPY of the same rows.
 *
 * 1. Starts an embedded PostgreSQL in a temporary folder (the same durable settings as `npm start`)
 *    and the real API as a child process (`apps/api/src/main.ts`, as `npm start` runs it).
 * 2. Enrolls AGENTS simulated agents through the real enrollment exchange: each is its own host
 *    with its own credential, connected over its own WebSocket with `Authorization: Bearer`.
 * 3. They send snapshots of TUPLES tuples each at a combined target RATE (open loop, each agent
 *    with at most WINDOW unacknowledged and paced under the welcome's maxFramesPerSecond like the
 *    real agent), for WARMUP + DURATION seconds, printing progress. Ack
 *    latency is send → ack (the API acks after its commit).
 * 4. Reference, same run: the rows the API stored (compact snapshots and the tuple dictionary) are
 *    exported and loaded with `COPY … FROM STDIN` into a fresh migrated database (same tables,
 *    partitions, indexes and foreign keys), timed.
 * 5. Prints sustained snapshots/s, p50/p99 ack latency, COPY time and rows/s, and the ratio.
 *
 * The default rate is the target plus 2.5 %, so that whether a run meets the target is not decided
 * by where the measured window's edges fall; `--rate 4000` drives the API past its capacity and
 * shows that capacity (with the queueing latency that comes with it).
 *
 * Options: --agents N (200) --rate SNAPSHOTS_PER_S (3075) --duration S (60) --warmup S (5)
 *          --tuples N (50) --window N (4) --keep (keep the temporary folder)
 *          --profile DIR (write a V8 CPU profile of the API process there)
 *          --api-node-args "…" (more Node options for the API process, e.g. "--trace-gc" with --keep)
 */
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { PortReport, ServerMessage, TupleUsage } from '@portpressure/protocol';
import pg from 'pg';
import type WebSocket from 'ws';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../apps/api/src/database/embedded-postgres.ts';
import { migrate } from '../apps/api/src/database/migrator.ts';
import { startFleetApiProcess } from './api-process.ts';
import { aRangeReport } from './bench-report.ts';
import { enrollAndHello } from './bench-agent-socket.ts';
import { postgresCpuMs, processCpuMs } from './process-cpu.ts';
import { copyFrom } from '../apps/api/src/database/pg-copy.ts';

const TARGET_RATE = 3000;
const TARGET_P99_MS = 250;

const { values: opts } = parseArgs({
  options: {
    agents: { type: 'string', default: '200' },
    rate: { type: 'string', default: String(Math.round(TARGET_RATE * 1.025)) },
    duration: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '5' },
    tuples: { type: 'string', default: '50' },
    window: { type: 'string', default: '4' },
    keep: { type: 'boolean', default: false },
    profile: { type: 'string' },
    'api-node-args': { type: 'string' },
  },
});
const AGENTS = Number(opts.agents);
const RATE = Number(opts.rate);
const DURATION_S = Number(opts.duration);
const WARMUP_S = Number(opts.warmup);
const TUPLES = Number(opts.tuples);
const WINDOW = Number(opts.window);

const say = (message: string) => console.log(`[bench] ${message}`);

// ---------------------------------------------------------------------------------------------
// Simulated agents

function report(agent: number, variant: number): PortReport {
  const tuples: TupleUsage[] = [];
  for (let i = 0; i < TUPLES; i++) {
    const used = 1 + ((agent * 7 + i * 13 + variant) % 400);
    const timeWait = Math.floor(used / 3);
    tuples.push({
      protocol: 'tcp',
      localAddress: `10.${agent >> 8}.${agent & 255}.1`,
      remoteAddress: `172.16.${i}.${(variant % 250) + 1}`,
      remotePort: 443 + i,
      used,
      timeWait,
      reclaimable: 0,
      pressure: used / 28232,
      states: { ESTABLISHED: used - timeWait, TIME_WAIT: timeWait },
    });
  }
  tuples.sort((a, b) => b.pressure - a.pressure);
  return aRangeReport(tuples, { hostPortsInUse: 900, tupleCount: TUPLES });
}

/** Share of the welcome's maxFramesPerSecond an agent uses, as the real agent does (agent-link.ts). */
const RATE_HEADROOM = 0.8;

class SimulatedAgent {
  socket!: WebSocket;
  seq = 0;
  readonly sentAt = new Map<number, number>();
  /** Frames per second this agent may send (set from the welcome), and the tokens left for it. */
  private ratePerSecond = 10;
  private tokens = 10;
  private lastRefill = performance.now();
  private readonly reports: string[];
  private readonly host;

  constructor(
    readonly index: number,
    private readonly onAck: (latencyMs: number) => void,
  ) {
    const name = `bench-${String(index).padStart(5, '0')}`;
    this.host = { machineId: `bench${String(index).padStart(27, '0')}`, hostname: name, labels: { bench: 'ingest' } };
    // A few distinct reports per agent, serialized once: the clients' CPU stays with the API.
    this.reports = [0, 1, 2, 3].map((v) => JSON.stringify(report(index, v)));
  }

  async enrollAndConnect(url: string, enrollmentToken: string): Promise<void> {
    const { socket, maxFramesPerSecond } = await enrollAndHello(url, enrollmentToken, this.host);
    this.socket = socket;
    this.ratePerSecond = Math.max(1, maxFramesPerSecond * RATE_HEADROOM);
    this.tokens = this.ratePerSecond;
    this.socket.on('message', (data) => {
      const m = JSON.parse(data.toString()) as ServerMessage;
      if (m.type === 'ack') {
        const t = this.sentAt.get(m.seq);
        if (t !== undefined) {
          this.sentAt.delete(m.seq);
          this.onAck(performance.now() - t);
        }
      } else if (m.type === 'error') {
        failure ??= new Error(`agent ${this.index}: ${m.code} ${m.message}`);
      }
    });
    this.socket.on('close', (code, reason) => {
      if (!stopping) failure ??= new Error(`agent ${this.index} disconnected: ${code} ${reason.toString()}`);
    });
  }

  get inFlight(): number {
    return this.sentAt.size;
  }

  /**
   * Whether the API's per-connection rate limit lets this agent send now. Without it, agents that
   * happen to get fast acks take over the backlog of a run that fell behind its target and get
   * refused for flooding, which a real agent never does.
   */
  maySend(now: number): boolean {
    this.tokens = Math.min(this.ratePerSecond, this.tokens + ((now - this.lastRefill) / 1000) * this.ratePerSecond);
    this.lastRefill = now;
    return this.tokens >= 1;
  }

  send(): void {
    this.seq += 1;
    const frame = `{"type":"snapshot","seq":${this.seq},"takenAt":"${new Date().toISOString()}","report":${this.reports[this.seq % 4]}}`;
    this.sentAt.set(this.seq, performance.now());
    this.tokens -= 1;
    this.socket.send(frame);
  }
}

let stopping = false;
/** The first thing that went wrong with an agent connection; ends the run. */
let failure: Error | undefined;

// ---------------------------------------------------------------------------------------------
// Statistics

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

class Latencies {
  private values = new Float64Array(1 << 16);
  length = 0;
  add(v: number): void {
    if (this.length === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.length++] = v;
  }
  sorted(from = 0): Float64Array {
    return this.values.slice(from, this.length).sort();
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'portpressure-bench-'));
  const pgDir = path.join(tmp, 'pg');
  const loadAtStart = os.loadavg()[0]!;
  await chmod(tmp, 0o755); // the embedded server runs as "postgres" when we are root
  let db: EmbeddedDatabase | undefined;
  let api: ChildProcess | undefined;
  let apiLogFile: string | undefined;
  const cleanup = async () => {
    stopping = true;
    if (api && api.exitCode === null) {
      const exited = new Promise((r) => api!.once('exit', r));
      api.disconnect(); // main.ts closes the API and exits normally (a CPU profile gets written)
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    }
    if (apiLogFile) {
      const lines = (await readFile(apiLogFile, 'utf8').catch(() => '')).split('\n').filter((l) => /ERROR|WARN/.test(l));
      if (lines.length > 0) say(`the API logged ${lines.length} warning/error line(s), the first: ${lines.slice(0, 3).join(' | ')}`);
    }
    await db?.stop().catch(() => undefined);
    if (!opts.keep) await rm(tmp, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    say(
      `${os.cpus().length} CPUs; ${AGENTS} agents, target ${RATE} snapshots/s of ${TUPLES} tuples, window ${WINDOW}, ${WARMUP_S} s warm-up + ${DURATION_S} s measured`,
    );
    say('starting an embedded PostgreSQL (durable settings, as npm start)…');
    db = await startEmbeddedPostgres({ dataDir: pgDir, database: 'bench_ingest' });
    say('starting the API…');
    const apiLog = path.join(tmp, 'api.log');
    apiLogFile = apiLog;
    const started = await startFleetApiProcess({
      databaseUrl: db.url,
      logFile: apiLog,
      nodeArgs: [
        ...(opts['api-node-args']?.split(' ').filter(Boolean) ?? []),
        ...(opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(opts.profile)}`] : []),
      ],
    });
    api = started.child;

    const all = new Latencies();
    let acked = 0;
    const agents = Array.from(
      { length: AGENTS },
      (_, i) =>
        new SimulatedAgent(i, (ms) => {
          acked += 1;
          all.add(ms);
        }),
    );
    const t0 = performance.now();
    for (let i = 0; i < agents.length; i += 20) {
      await Promise.all(agents.slice(i, i + 20).map((a) => a.enrollAndConnect(started.url, started.enrollmentToken)));
    }
    say(`enrolled and connected ${AGENTS} agents in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // Open loop: snapshots fall due at RATE overall; each goes to the next agent with room in its window.
    const start = performance.now();
    const end = start + (WARMUP_S + DURATION_S) * 1000;
    let sent = 0;
    let deferred = 0;
    let next = 0;
    let measureFromAck = -1;
    let measureFromLatency = 0;
    let cpuFrom = { api: 0, pg: 0, agents: 0 };
    let lastReport = start;
    let lastAcked = 0;
    let lastLatencyIndex = 0;
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const now = performance.now();
        if (measureFromAck < 0 && now - start >= WARMUP_S * 1000) {
          measureFromAck = acked;
          measureFromLatency = all.length;
          cpuFrom = { api: processCpuMs(api!.pid!), pg: postgresCpuMs(pgDir), agents: processCpuMs(process.pid) };
        }
        if (now >= end || failure) {
          clearInterval(tick);
          return resolve();
        }
        const due = Math.floor(((now - start) / 1000) * RATE) - sent;
        for (let k = 0, tried = 0; k < due && tried < AGENTS; tried++) {
          const agent = agents[next]!;
          next = (next + 1) % AGENTS;
          if (agent.inFlight >= WINDOW || !agent.maySend(now)) continue;
          agent.send();
          sent += 1;
          k += 1;
          tried = -1;
        }
        const left = Math.floor(((now - start) / 1000) * RATE) - sent;
        if (left > 0) deferred = left;
        if (now - lastReport >= 5000) {
          const window = all.sorted(lastLatencyIndex);
          const phase = now - start < WARMUP_S * 1000 ? 'warm-up' : 'measuring';
          say(
            `${((now - start) / 1000).toFixed(0).padStart(3)} s ${phase}: ${(((acked - lastAcked) * 1000) / (now - lastReport)).toFixed(0)} snapshots/s acked, ` +
              `p50 ${percentile(window, 50).toFixed(1)} ms, p99 ${percentile(window, 99).toFixed(1)} ms, behind target by ${deferred}`,
          );
          lastReport = now;
          lastAcked = acked;
          lastLatencyIndex = all.length;
        }
      }, 5);
    });
    if (failure) throw failure;
    const measuredMs = performance.now() - start - WARMUP_S * 1000;
    const measuredAcks = acked - measureFromAck;
    const cpuUs = (now: number, from: number) => ((now - from) * 1000) / measuredAcks;
    const apiCpuUs = cpuUs(processCpuMs(api.pid!), cpuFrom.api);
    const pgCpuUs = cpuUs(postgresCpuMs(pgDir), cpuFrom.pg);
    const agentsCpuUs = cpuUs(processCpuMs(process.pid), cpuFrom.agents);
    const latencies = all.sorted(measureFromLatency);
    // Let the last acks arrive before reading the database.
    const drainUntil = performance.now() + 10_000;
    while (agents.some((a) => a.inFlight > 0) && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 50));
    stopping = true;
    for (const a of agents) a.socket.close();

    const snapshotsPerSecond = (measuredAcks * 1000) / measuredMs;
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);

    // ---- reference: COPY of the same rows into a fresh, identical schema ----
    say('reference: exporting the stored rows and loading them with COPY into a fresh migrated database…');
    const admin = new pg.Client({ connectionString: db.url });
    admin.on('error', () => undefined); // a server stopped under it after a failure must not hide that failure
    await admin.connect();
    const counts = await admin.query<{ snapshots: string; tuples: string }>(
      'SELECT (SELECT count(*) FROM snapshots) AS snapshots, (SELECT count(*) FROM host_tuples) AS tuples',
    );
    const storedSnapshots = Number(counts.rows[0]!.snapshots);
    const storedTuples = Number(counts.rows[0]!.tuples);
    // The server writes the export files itself (it runs as "postgres" when we are root).
    const exportDir = path.join(tmp, 'export');
    await mkdir(exportDir, { mode: 0o777 });
    await chmod(exportDir, 0o777);
    const files = {
      hosts: path.join(exportDir, 'hosts.copy'),
      snapshots: path.join(exportDir, 'snapshots.copy'),
      tuples: path.join(exportDir, 'tuples.copy'),
    };
    await admin.query(`COPY hosts TO '${files.hosts}'`);
    // snapshots is partitioned: COPY exports it through a query
    await admin.query(`COPY (SELECT * FROM snapshots) TO '${files.snapshots}'`);
    await admin.query(`COPY host_tuples TO '${files.tuples}'`);
    await admin.query('CREATE DATABASE bench_copy');
    await admin.end();
    const copyUrl = db.urlFor('bench_copy');
    await migrate(copyUrl);
    const copyClient = new pg.Client({ connectionString: copyUrl });
    copyClient.on('error', () => undefined);
    await copyClient.connect();
    await copyFrom(copyClient, 'COPY hosts FROM STDIN', await readFile(files.hosts));
    const snapshotRows = await readFile(files.snapshots);
    const tupleRows = await readFile(files.tuples);
    const c0 = performance.now();
    await copyClient.query('BEGIN');
    await copyFrom(copyClient, 'COPY host_tuples FROM STDIN', tupleRows);
    await copyFrom(copyClient, 'COPY snapshots FROM STDIN', snapshotRows);
    await copyClient.query('COMMIT');
    const copyMs = performance.now() - c0;
    const copied = await copyClient.query<{ n: string }>('SELECT count(*) AS n FROM snapshots');
    await copyClient.end();
    if (Number(copied.rows[0]!.n) !== storedSnapshots) throw new Error('COPY loaded a different number of rows');

    // One row per snapshot now (its tuples packed in it); the dictionary rows are few.
    const copySnapshotsPerSecond = (storedSnapshots * 1000) / copyMs;
    const ratio = snapshotsPerSecond / copySnapshotsPerSecond;

    console.log('');
    console.log('ingest benchmark: real API (child process) + embedded PostgreSQL on this machine');
    console.log(`  agents                   ${AGENTS} WebSocket clients, one host and credential each, ${TUPLES} tuples per snapshot`);
    console.log(
      `  sustained                ${snapshotsPerSecond.toFixed(0)} snapshots/s over ${(measuredMs / 1000).toFixed(1)} s (target rate ${RATE}/s)`,
    );
    console.log(
      `  ack latency              p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (send → ack after commit, ${latencies.length} acks)`,
    );
    console.log(
      `  CPU per snapshot         API ${apiCpuUs.toFixed(0)} µs (${((apiCpuUs * snapshotsPerSecond) / 1e4).toFixed(0)} % of a core), ` +
        `PostgreSQL ${pgCpuUs.toFixed(0)} µs, the simulated agents (this process) ${agentsCpuUs.toFixed(0)} µs; load average ${loadAtStart.toFixed(2)} → ${os.loadavg()[0]!.toFixed(2)}`,
    );
    console.log(
      `  reference: COPY          ${storedSnapshots} compact snapshot rows + ${storedTuples} tuple-dictionary rows in ${(copyMs / 1000).toFixed(2)} s`,
    );
    console.log(`                           = ${copySnapshotsPerSecond.toFixed(0)} snapshots/s`);
    console.log(`  ingest / COPY            ${ratio.toFixed(2)} (${(ratio * 100).toFixed(0)} % of COPY's snapshot rate)`);
    const ok = snapshotsPerSecond >= TARGET_RATE && p99 < TARGET_P99_MS;
    console.log(`  target                   ≥ ${TARGET_RATE} snapshots/s with p99 < ${TARGET_P99_MS} ms: ${ok ? 'met' : 'NOT met'}`);
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`[bench] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
