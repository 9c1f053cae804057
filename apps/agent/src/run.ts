import path from 'node:path';
import { createLineLogger } from '@portpressure/logging/line';
import { collectAllNamespaces } from './namespaces/collect-all-namespaces.ts';
import { namespacesBody } from './namespaces/namespaces-snapshot.ts';
import { AgentConfigError, type AgentRunConfig } from './config.ts';
import { writeLinkHealth } from './health-file.ts';
import { readHostIdentity } from './identity.ts';
import { AgentLink } from './link/agent-link.ts';
import { CredentialStore, CredentialStoreError } from './link/credential-store.ts';
import { Spool } from './link/spool.ts';
import { StateFile } from './state-file.ts';
import { AGENT_VERSION } from './version.ts';
import { collectorSource } from './socket-source.ts';
import { Diagnoser } from './diagnose/index.ts';
import { heapTrimmer } from './heap-trimmer.ts';

/**
 * How often `run` attributes sockets to processes and re-reads the NAT rules. Reading every
 * process's descriptors is the costly part of a diagnosis (see bench:agent), and who holds a
 * tuple changes slowly; churn, conntrack and counters are still measured every snapshot.
 */
const ATTRIBUTION_INTERVAL_MS = 60_000;

/** `portpressure-agent run`: sample every interval and stream snapshots to the API until SIGTERM. */
export async function runAgent(config: AgentRunConfig): Promise<number> {
  // Not createLogger: the same lines without loading pino (see createLineLogger).
  const logger = createLineLogger({
    service: 'agent',
    level: ({ error: 'error', warn: 'warn', log: 'info', debug: 'debug' } as const)[config.logLevel],
    format: config.logFormat,
  });
  const log = (message: string) => logger.info(message);
  const state = new StateFile(config.stateDir);
  const credentials = new CredentialStore(config.stateDir);
  let enrolled;
  try {
    enrolled = credentials.load();
  } catch (error) {
    if (error instanceof CredentialStoreError) throw new AgentConfigError(error.message);
    throw error;
  }
  if (!enrolled && !config.enrollmentToken) {
    throw new AgentConfigError(
      `this host is not enrolled (no ${credentials.file}): run once with --enrollment-token TOKEN ` +
        '(the API prints its token when it first starts)',
    );
  }
  const spool = Spool.open(path.join(config.stateDir, 'spool'), config.maxPending);
  const identity = await readHostIdentity(config.labels);
  const link = new AgentLink({
    serverUrl: config.serverUrl,
    identity,
    agentVersion: AGENT_VERSION,
    spool,
    credentials,
    ...(config.enrollmentToken ? { enrollmentToken: config.enrollmentToken } : {}),
    lastSeq: state.read().lastSeq,
    onSeq: (lastSeq) => state.write({ lastSeq }),
    log,
  });
  if (spool.size > 0) log(`${spool.size} snapshot(s) left in the spool by the previous run will be sent first`);
  log(`reporting ${identity.hostname} to ${config.serverUrl} every ${config.intervalSeconds} s`);
  link.start();

  const recordHealth = () => {
    try {
      writeLinkHealth(config.stateDir, {
        streaming: link.currentState === 'streaming',
        lastHeardAt: link.lastHeardAt,
        intervalSeconds: config.intervalSeconds,
      });
    } catch (error) {
      log(`could not write the health file: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const diagnoser = new Diagnoser({ attributeEveryMs: ATTRIBUTION_INTERVAL_MS });
  const trimHeap = heapTrimmer();
  let sampling = false;
  let stopping = false;
  // Said once per distinct text: the same privilege warning every 10 s would bury everything else.
  const warned = new Set<string>();
  const warnOnce = (text: string) => {
    if (warned.has(text)) return;
    warned.add(text);
    logger.warn(`warning: ${text}`);
  };
  const sample = async () => {
    if (sampling || stopping) return; // a slow collection never overlaps the next one
    sampling = true;
    try {
      // Every network namespace this process may enter (containers, pods, ip netns), its own first.
      const all = await collectAllNamespaces({ source: collectorSource(config.source), diagnoser });
      for (const w of all.warnings) warnOnce(w);
      for (const { result } of all.measured.filter((m) => m.namespace.host)) for (const w of result.warnings) logger.warn(`warning: ${w}`);
      for (const s of all.skipped.filter((k) => !k.gone)) warnOnce(`network namespace ${s.namespace.inode} not measured: ${s.reason}`);
      const body = namespacesBody(all);
      if (!body) throw new Error("the agent's own network namespace was not found");
      if (!stopping) link.submit(body);
    } catch (error) {
      logger.error(`could not measure this host: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      recordHealth();
      trimHeap();
      sampling = false;
    }
  };
  void sample();
  const timer = setInterval(() => void sample(), config.intervalSeconds * 1000);

  return new Promise<number>((resolve) => {
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      clearInterval(timer);
      void link.stop().then(() => {
        recordHealth(); // stopped: not connected any more
        log(`${signal}: stopped; ${link.pendingCount} unacknowledged snapshot(s) kept in the spool`);
        resolve(0);
      });
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
    // Started by `npm start`: stop with the parent even if it dies without signalling us.
    process.once('disconnect', () => shutdown('parent gone'));
  });
}
