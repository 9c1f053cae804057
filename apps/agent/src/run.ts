import { collectReport } from './collect/index.ts';
import type { AgentRunConfig } from './config.ts';
import { readHostIdentity } from './identity.ts';
import { AgentLink } from './link/agent-link.ts';
import { StateFile } from './state-file.ts';
import { AGENT_VERSION } from './version.ts';

/** `portpressure-agent run`: sample every interval and stream snapshots to the API until SIGTERM. */
export async function runAgent(config: AgentRunConfig): Promise<number> {
  const log = (message: string) => console.log(`[agent] ${message}`);
  const state = new StateFile(config.stateDir);
  const identity = await readHostIdentity(config.labels);
  const link = new AgentLink({
    serverUrl: config.serverUrl,
    identity,
    agentVersion: AGENT_VERSION,
    maxPending: config.maxPending,
    lastSeq: state.read().lastSeq,
    onSeq: (lastSeq) => state.write({ lastSeq }),
    log,
  });
  log(`reporting ${identity.hostname} to ${config.serverUrl} every ${config.intervalSeconds} s`);
  link.start();

  let sampling = false;
  const sample = async () => {
    if (sampling) return; // a slow collection never overlaps the next one
    sampling = true;
    try {
      const { report, warnings } = await collectReport({ source: config.source });
      for (const w of warnings) log(`warning: ${w}`);
      link.submit(report);
    } catch (error) {
      log(`could not measure this host: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      sampling = false;
    }
  };
  void sample();
  const timer = setInterval(() => void sample(), config.intervalSeconds * 1000);

  return new Promise<number>((resolve) => {
    const shutdown = (signal: string) => {
      log(`${signal}: stopping (${link.pendingCount} snapshot(s) unacknowledged)`);
      clearInterval(timer);
      void link.stop().then(() => resolve(0));
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
    // Started by `npm start`: stop with the parent even if it dies without signalling us.
    process.once('disconnect', () => shutdown('parent gone'));
  });
}
