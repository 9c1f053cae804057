import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkLabels } from '@portpressure/protocol/agent-checks';
import type { Labels } from '@portpressure/protocol/server-messages';
import { parseSourceName, SOURCE_CHOICES, type SourceName } from './socket-source.ts';

/** Raised for a bad flag or environment variable; the CLI prints the message and exits 3. */
export class AgentConfigError extends Error {
  readonly code = 'AGENT_CONFIG_INVALID';
}

export interface AgentRunConfig {
  serverUrl: string;
  intervalSeconds: number;
  labels: Labels;
  stateDir: string;
  source: SourceName;
  /** Most unacknowledged snapshots kept in the on-disk spool; the oldest are dropped beyond it (and reported as a gap). */
  maxPending: number;
  /** Enrolls this host when it has no credential yet; unused once enrolled. */
  enrollmentToken: string | undefined;
  logLevel: 'error' | 'warn' | 'log' | 'debug';
  /** auto: JSON lines unless stdout is a terminal. */
  logFormat: 'auto' | 'json' | 'pretty';
}

export const AGENT_RUN_USAGE = `Usage: portpressure-agent run --server URL [--enrollment-token TOKEN] [options]

Reports this host's ephemeral port usage to a Portpressure API over WebSocket. The first run
enrolls the host with the API's enrollment token and stores the host's own credential in
<state-dir>/credential.json (mode 0600); later runs need only that file.

Options (each has an environment variable):
  --server URL          API base URL, e.g. http://portpressure:8080     PORTPRESSURE_SERVER_URL
  --enrollment-token T  enroll this host (first run only)              PORTPRESSURE_ENROLLMENT_TOKEN
  --enrollment-token-file FILE                                          PORTPRESSURE_ENROLLMENT_TOKEN_FILE
                        read that token from a file instead (kept out of
                        the command line and the process list)
  --interval SECONDS    seconds between snapshots (default 10)         PORTPRESSURE_INTERVAL_SECONDS
  --label KEY=VALUE     a label for this host; repeatable               PORTPRESSURE_LABELS (k=v,k=v)
  --state-dir DIR       where the agent keeps its state                 PORTPRESSURE_STATE_DIR
                        (default /var/lib/portpressure-agent as root)
  --source SOURCE       auto, ss or proc (default auto; netlink = ss)   PORTPRESSURE_SOURCE
  --max-pending N       snapshots kept in the on-disk spool while       PORTPRESSURE_MAX_PENDING
                        unacknowledged (default 8640 = 24 h at 10 s)
  Logs: level error, warn, log or debug (default log)           PORTPRESSURE_LOG_LEVEL
        format auto, json or pretty (default auto: JSON lines     PORTPRESSURE_LOG_FORMAT
        unless stdout is a terminal); times are UTC
`;

/** The environment variables the agent reads (each optional, each a string). */
export const AGENT_ENV_VARS = [
  'PORTPRESSURE_SERVER_URL',
  'PORTPRESSURE_INTERVAL_SECONDS',
  'PORTPRESSURE_LABELS',
  'PORTPRESSURE_STATE_DIR',
  'PORTPRESSURE_SOURCE',
  'PORTPRESSURE_MAX_PENDING',
  'PORTPRESSURE_ENROLLMENT_TOKEN',
  'PORTPRESSURE_LOG_LEVEL',
  'PORTPRESSURE_LOG_FORMAT',
  'PORTPRESSURE_ENROLLMENT_TOKEN_FILE',
] as const;
export type AgentEnv = Partial<Record<(typeof AGENT_ENV_VARS)[number], string>>;

/** The agent's variables of `env` (nothing else), each a string when set; written out rather than a zod schema (see docs/agent-memory.md). */
export function readAgentEnv(env: Record<string, unknown>): AgentEnv {
  const picked: AgentEnv = {};
  for (const name of AGENT_ENV_VARS) {
    const value = env[name];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new AgentConfigError(`${name} must be a string, got ${value === null ? 'null' : typeof value}`);
    picked[name] = value;
  }
  return picked;
}

function parseLabels(items: string[]): Labels {
  const labels: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new AgentConfigError(`label "${item}" must look like key=value`);
    labels[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
  }
  const parsed = checkLabels(labels);
  if (!parsed.success) throw new AgentConfigError(`invalid labels: ${parsed.issue.message}`);
  return parsed.data;
}

export function defaultStateDir(): string {
  if (process.getuid?.() === 0) return '/var/lib/portpressure-agent';
  return path.join(os.homedir(), '.local/state/portpressure-agent');
}

function positiveInt(name: string, value: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new AgentConfigError(`${name} must be a whole number from 1 to ${max}, got "${value}"`);
  return n;
}

export function loadRunConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): AgentRunConfig {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        server: { type: 'string' },
        interval: { type: 'string' },
        label: { type: 'string', multiple: true },
        'state-dir': { type: 'string' },
        source: { type: 'string' },
        'max-pending': { type: 'string' },
        'enrollment-token': { type: 'string' },
        'enrollment-token-file': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new AgentConfigError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) throw new AgentConfigError(AGENT_RUN_USAGE);
  const e = readAgentEnv(env);
  const serverUrl = values.server ?? e.PORTPRESSURE_SERVER_URL;
  if (!serverUrl) throw new AgentConfigError('no server: pass --server URL or set PORTPRESSURE_SERVER_URL');
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    throw new AgentConfigError(`--server "${serverUrl}" is not a URL`);
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) {
    throw new AgentConfigError(`--server must be an http(s) or ws(s) URL, got "${serverUrl}"`);
  }
  const sourceValue = values.source ?? e.PORTPRESSURE_SOURCE ?? 'auto';
  const source = parseSourceName(sourceValue);
  if (source === undefined) {
    throw new AgentConfigError(`--source must be ${SOURCE_CHOICES} (netlink is the old name of ss), got "${sourceValue}"`);
  }
  const logLevel = e.PORTPRESSURE_LOG_LEVEL || 'log';
  if (logLevel !== 'error' && logLevel !== 'warn' && logLevel !== 'log' && logLevel !== 'debug') {
    throw new AgentConfigError(`PORTPRESSURE_LOG_LEVEL must be error, warn, log or debug, got "${logLevel}"`);
  }
  const logFormat = e.PORTPRESSURE_LOG_FORMAT || 'auto';
  if (logFormat !== 'auto' && logFormat !== 'json' && logFormat !== 'pretty') {
    throw new AgentConfigError(`PORTPRESSURE_LOG_FORMAT must be auto, json or pretty, got "${logFormat}"`);
  }
  const envLabels = e.PORTPRESSURE_LABELS ? e.PORTPRESSURE_LABELS.split(',').filter(Boolean) : [];
  return {
    serverUrl: url.toString().replace(/\/$/, ''),
    intervalSeconds: positiveInt('--interval', values.interval ?? e.PORTPRESSURE_INTERVAL_SECONDS ?? '10', 3600),
    labels: parseLabels([...envLabels, ...(values.label ?? [])]),
    stateDir: path.resolve(values['state-dir'] ?? e.PORTPRESSURE_STATE_DIR ?? defaultStateDir()),
    source,
    maxPending: positiveInt('--max-pending', values['max-pending'] ?? e.PORTPRESSURE_MAX_PENDING ?? '8640', 1_000_000),
    // An empty value (e.g. an unset compose variable) means "none".
    enrollmentToken: enrollmentToken(
      (values['enrollment-token'] ?? e.PORTPRESSURE_ENROLLMENT_TOKEN) || undefined,
      (values['enrollment-token-file'] ?? e.PORTPRESSURE_ENROLLMENT_TOKEN_FILE) || undefined,
    ),
    logLevel,
    logFormat,
  };
}

/**
 * The token itself, or the first line of a token file (a Kubernetes Secret or a file the install
 * script wrote with mode 0600). An empty value (e.g. an unset compose variable) means "none". A
 * file that cannot be read is an error only while a token is needed, so a host that enrolled
 * keeps running after the file is deleted.
 */
function enrollmentToken(value: string | undefined, file: string | undefined): string | undefined {
  if (value) return value;
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8').split('\n')[0]?.trim() || undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new AgentConfigError(`cannot read the enrollment token file ${file}: ${code ?? String(error)}`);
  }
}
