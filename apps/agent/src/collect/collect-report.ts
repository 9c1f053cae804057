import { endianness } from 'node:os';
import { DEFAULT_MAX_TUPLES, SocketColumns, buildPortReport } from '@portpressure/domain';
import type { PortReport, SocketSource } from '@portpressure/protocol';
// From its own module: the protocol's index builds every schema of the API (see docs/agent-memory.md).
import { checkDiagnostics } from '@portpressure/protocol/agent-checks';
import type { Diagnoser } from '../diagnose/diagnoser.ts';
import { CollectError } from './collect-error.ts';
import { readKernelSettings } from './read-kernel-settings.ts';
import { readProcSockets } from './read-proc-sockets.ts';
import type { SocketTable } from './read-proc-sockets.ts';
import { readSsSockets } from './read-ss-sockets.ts';

export type SourceChoice = 'auto' | 'netlink' | 'proc';

export interface CollectOptions {
  /** `auto` (default) uses netlink and falls back to /proc with a warning; the others insist. */
  source?: SourceChoice;
  /** Tuples to list, worst first (default and most: 1000); `tupleCount` counts all of them. */
  maxTuples?: number;
  /** Adds `diagnostics` to the report (docs/diagnosis.md); keep one per namespace across snapshots. */
  diagnoser?: Diagnoser;
}

export interface CollectResult {
  report: PortReport;
  /** Things worth telling a person that did not stop the measurement, e.g. a fallback to /proc. */
  warnings: string[];
}

/** Where the kernel is read from; tests point it at fixtures. */
export interface CollectEnvironment {
  sysctlDir: string;
  procNetDir: string;
  ssCommand: string;
  littleEndian: boolean;
}

const DEFAULT_ENVIRONMENT: CollectEnvironment = {
  sysctlDir: '/proc/sys/net/ipv4',
  procNetDir: '/proc/net',
  ssCommand: 'ss',
  littleEndian: endianness() === 'LE',
};

const SOURCES: readonly SourceChoice[] = ['auto', 'netlink', 'proc'];

/** Measures the network namespace this process runs in. Throws CollectError when it cannot. */
export async function collectReport(options: CollectOptions = {}): Promise<CollectResult> {
  return collectReportFrom(options, DEFAULT_ENVIRONMENT);
}

export async function collectReportFrom(options: CollectOptions, environment: CollectEnvironment): Promise<CollectResult> {
  const source = options.source ?? 'auto';
  if (!SOURCES.includes(source))
    throw new CollectError('INVALID_OPTION', `source must be one of ${SOURCES.join(', ')}, not "${String(source)}"`);
  const maxTuples = options.maxTuples ?? DEFAULT_MAX_TUPLES;
  if (!Number.isInteger(maxTuples) || maxTuples < 0 || maxTuples > DEFAULT_MAX_TUPLES) {
    throw new CollectError('INVALID_OPTION', `maxTuples must be an integer from 0 to ${DEFAULT_MAX_TUPLES}, not ${maxTuples}`);
  }

  const warnings: string[] = [];
  const settings = await readKernelSettings(environment.sysctlDir);
  const table = takeTable();
  try {
    let used: SocketSource;
    if (source === 'proc') {
      used = 'proc';
      await readProcSockets(environment.procNetDir, settings.range, environment.littleEndian, table);
    } else {
      try {
        used = 'netlink';
        await readSsSockets(environment.ssCommand, settings.range, table);
      } catch (error) {
        if (source === 'netlink' || !(error instanceof CollectError)) throw error;
        warnings.push(`netlink source unavailable (${error.message}); read /proc/net instead`);
        used = 'proc';
        resetTable(table);
        await readProcSockets(environment.procNetDir, settings.range, environment.littleEndian, table);
      }
    }
    const report = buildPortReport({ source: used, ...settings, tcp: table.tcp, udp: table.udp, maxTuples });
    if (options.diagnoser) {
      // What the kernel and the tools print is not ours: a diagnosis the API would refuse must not
      // take the snapshot's accounting down with it.
      const checked = checkDiagnostics(await options.diagnoser.diagnose(table.tcp, report));
      if (checked.success) report.diagnostics = checked.data;
      else warnings.push(`diagnosis left out: ${checked.issue.path.join('.')} ${checked.issue.message}`);
    }
    return { report, warnings };
  } finally {
    giveTable(table);
  }
}

/**
 * Socket tables kept between snapshots: their typed arrays are reused rather than reallocated, so
 * a long-running agent does not accumulate external memory between garbage collections. A pool,
 * not a single table, because nothing stops two collections from overlapping.
 */
const spareTables: SocketTable[] = [];

function takeTable(): SocketTable {
  return spareTables.pop() ?? { tcp: new SocketColumns(), udp: new SocketColumns() };
}

function resetTable(table: SocketTable): void {
  table.tcp.reset();
  table.udp.reset();
}

function giveTable(table: SocketTable): void {
  resetTable(table);
  if (spareTables.length < 2) spareTables.push(table);
}
