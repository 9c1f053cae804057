import { parseArgs } from 'node:util';
import { parseSourceName, SOURCE_CHOICES, type SourceName } from '../socket-source.ts';

export const CHECK_USAGE = `Usage: portpressure-agent check [options]

Measures ephemeral port pressure in this network namespace now and prints a summary.
Exit codes (Nagios plugin convention): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
The status follows the worst pressure: of any TCP tuple, (used - reclaimable) / usable,
and of the UDP pool.

Options:
  --warning X    pressure from which to warn: a ratio (0.6667) or a percentage (66.7%)
                 (default 2/3 of usable)
  --critical X   pressure from which the state is critical (default 0.9)
  --top N        tuples to list, worst first (default 10; with --json, 1000)
  --source S     auto | ss | proc (default auto: the "ss" tool, falling back to
                 /proc/net with a warning; netlink is the old name of ss)
  --json         print the result as JSON: the report's figures and the verdict
  --format F     text | json | prometheus (node_exporter textfile collector format;
                 --top defaults to 10 there, to keep the series few)
  --all-namespaces
                 measure every network namespace on the host (containers, pods, "ip netns"),
                 each from inside with its own range, reserved ports and sysctls; one section
                 per namespace, worst first, and the exit code of the worst. Needs root (or
                 CAP_SYS_ADMIN and CAP_SYS_PTRACE); with --format prometheus, each series
                 carries netns_inode, netns_name, pod, pod_namespace and container labels
  --churn-window SECONDS
                 diagnosis (text and JSON): measure twice, this many seconds apart, to see the
                 new connections per second of each tuple (default 1; 0 measures once, without
                 rates). The diagnosis also names the processes holding each tuple, the
                 conntrack table and SNAT pools, and verdicts with advice (docs/diagnosis.md)
  --no-diagnose  measure once and leave the diagnosis out
  --output FILE  write the result to FILE instead of stdout, atomically (a temporary file
                 in the same folder, then renamed), e.g.
                 /var/lib/node_exporter/textfile_collector/portpressure.prom
  -h, --help     show this help
`;

export type CheckFormat = 'text' | 'json' | 'prometheus';

export interface CheckArgs {
  json: boolean;
  format: CheckFormat;
  /** Write here (atomically) instead of stdout. */
  output: string | undefined;
  warning: number;
  critical: number;
  top: number;
  source: SourceName;
  /** Measure every network namespace of the host, not only this process's. */
  allNamespaces: boolean;
  /** Add the diagnosis (text and JSON formats). */
  diagnose: boolean;
  /** Seconds between the two measurements the churn is computed from; 0 for one measurement. */
  churnWindowSeconds: number;
}

export type ParsedCheckArgs = { help: true } | ({ help: false } & CheckArgs);

/** A bad command line; `check` prints the message and exits 3 (UNKNOWN). */
export class CheckArgsError extends Error {
  override readonly name = 'CheckArgsError';
}

export const DEFAULT_WARNING = 2 / 3;
export const DEFAULT_CRITICAL = 0.9;
const MAX_TOP = 1000;
export const DEFAULT_CHURN_WINDOW_SECONDS = 1;
const MAX_CHURN_WINDOW_SECONDS = 60;

export function parseCheckArgs(argv: string[]): ParsedCheckArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        json: { type: 'boolean' },
        warning: { type: 'string' },
        critical: { type: 'string' },
        top: { type: 'string' },
        source: { type: 'string' },
        format: { type: 'string' },
        output: { type: 'string' },
        'all-namespaces': { type: 'boolean' },
        'churn-window': { type: 'string' },
        'no-diagnose': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    // parseArgs messages are clear ("Unknown option '--x'"); drop its "To specify a positional..." tail.
    throw new CheckArgsError((error as Error).message.split('. To specify')[0] ?? 'bad arguments');
  }
  if (values.help) return { help: true };

  const warning = values.warning === undefined ? DEFAULT_WARNING : threshold('--warning', values.warning);
  const critical = values.critical === undefined ? DEFAULT_CRITICAL : threshold('--critical', values.critical);
  if (warning > critical)
    throw new CheckArgsError(`--warning (${values.warning ?? 'default'}) must not be above --critical (${values.critical ?? 'default'})`);

  const format = values.format ?? (values.json ? 'json' : 'text');
  if (format !== 'text' && format !== 'json' && format !== 'prometheus') {
    throw new CheckArgsError(`--format takes text, json or prometheus, not "${format}"`);
  }
  if (values.json && format !== 'json') throw new CheckArgsError(`--json and --format ${format} contradict each other`);
  const json = format === 'json';
  if (values.output !== undefined && values.output.trim() === '') throw new CheckArgsError('--output needs a file name');
  let top = json ? MAX_TOP : 10;
  if (values.top !== undefined) {
    if (!/^\d+$/.test(values.top) || Number(values.top) > MAX_TOP)
      throw new CheckArgsError(`--top takes a whole number from 0 to ${MAX_TOP}, not "${values.top}"`);
    top = Number(values.top);
  }

  const sourceValue = values.source ?? 'auto';
  const source = parseSourceName(sourceValue);
  if (source === undefined) {
    throw new CheckArgsError(`--source takes ${SOURCE_CHOICES} (netlink is the old name of ss), not "${sourceValue}"`);
  }
  const allNamespaces = values['all-namespaces'] === true;
  const diagnose = values['no-diagnose'] !== true;
  let churnWindowSeconds = DEFAULT_CHURN_WINDOW_SECONDS;
  if (values['churn-window'] !== undefined) {
    const text = values['churn-window'];
    if (!/^\d+(\.\d+)?$/.test(text) || Number(text) > MAX_CHURN_WINDOW_SECONDS)
      throw new CheckArgsError(`--churn-window takes seconds from 0 to ${MAX_CHURN_WINDOW_SECONDS}, not "${text}"`);
    if (!diagnose) throw new CheckArgsError('--churn-window and --no-diagnose contradict each other');
    churnWindowSeconds = Number(text);
  }
  return {
    help: false,
    json,
    format,
    output: values.output,
    warning,
    critical,
    top,
    source,
    allNamespaces,
    diagnose,
    churnWindowSeconds,
  };
}

/** "0.9", ".9", "90%", "66.7%" → a ratio in (0, 1]. */
function threshold(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?|\.\d+)(%?)$/.exec(text.trim());
  const value = match ? Number(match[1]) / (match[2] === '%' ? 100 : 1) : NaN;
  if (!(value > 0 && value <= 1))
    throw new CheckArgsError(`${flag} takes a pressure above 0 and at most 1 (or a percentage like 90%), not "${text}"`);
  return value;
}
