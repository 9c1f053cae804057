import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What `run` records after each snapshot so that `health` (a container or probe check) can answer. */
export interface LinkHealth {
  /** Whether the link to the server was streaming when written. */
  streaming: boolean;
  /** When the server was last heard from, ms since the epoch (0: never). */
  lastHeardAt: number;
  /** The snapshot interval, so the check knows how stale is too stale. */
  intervalSeconds: number;
}

const FILE = 'health.json';

export function writeLinkHealth(stateDir: string, health: LinkHealth): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = path.join(stateDir, FILE);
  writeFileSync(`${file}.tmp`, JSON.stringify(health) + '\n', { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/**
 * Healthy when the agent is alive (it rewrote the file within 3 intervals, at least 60 s) and
 * heard from the server within that time: a running agent that cannot reach its server is not
 * healthy, since nothing it measures arrives anywhere.
 */
export function checkLinkHealth(stateDir: string, now = Date.now()): { healthy: boolean; reason: string } {
  const file = path.join(stateDir, FILE);
  let health: LinkHealth;
  let writtenAt: number;
  try {
    writtenAt = statSync(file).mtimeMs;
    health = JSON.parse(readFileSync(file, 'utf8')) as LinkHealth;
  } catch {
    return { healthy: false, reason: `no ${file} yet (is the agent running with this state folder?)` };
  }
  const limitMs = Math.max(60, 3 * (Number(health.intervalSeconds) || 10)) * 1000;
  if (now - writtenAt > limitMs)
    return { healthy: false, reason: `the agent has not taken a snapshot for ${Math.round((now - writtenAt) / 1000)} s` };
  if (!health.streaming) return { healthy: false, reason: 'the agent is not connected to the server' };
  if (now - health.lastHeardAt > limitMs)
    return { healthy: false, reason: `nothing heard from the server for ${Math.round((now - health.lastHeardAt) / 1000)} s` };
  return { healthy: true, reason: 'connected to the server' };
}
