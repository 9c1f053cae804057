import { adviseOnReport } from '@portpressure/domain';
import { CollectError, collectReport } from '../collect/index.ts';
import type { CollectOptions, CollectResult } from '../collect/index.ts';
import { CHECK_USAGE, CheckArgsError, parseCheckArgs } from './check-args.ts';
import { EXIT_CODES, statusOf } from './check-status.ts';
import { checkJson, checkText } from './format-check.ts';
import { checkPrometheus, failedCheckPrometheus } from './format-prometheus.ts';
import { writeFileAtomically } from './write-atomically.ts';
import { collectorSource } from '../socket-source.ts';
import type { AllNamespacesResult } from '../namespaces/collect-all-namespaces.ts';

export interface CheckIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** The measurement; tests may substitute a recorded report. */
  collect: (options: CollectOptions) => Promise<CollectResult>;
  /** Replaces a file's content atomically (--output). */
  writeFile: (file: string, text: string) => Promise<void>;
  /** Every namespace's measurement (--all-namespaces); loaded only when asked for. */
  collectAll?: (options: CollectOptions) => Promise<AllNamespacesResult>;
  /** The measurement with its diagnosis, `churnWindowSeconds` after a first one; without it, `collect` alone. */
  collectDiagnosed?: (options: CollectOptions, churnWindowSeconds: number) => Promise<CollectResult>;
}

const PROCESS_IO: CheckIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  collect: collectReport,
  writeFile: writeFileAtomically,
  collectDiagnosed: async (options, churnWindowSeconds) =>
    (await import('../diagnose/index.ts')).collectDiagnosed(options, churnWindowSeconds),
};

/**
 * `portpressure-agent check`: measure now, print, and return a Nagios exit code (0 OK, 1 WARNING,
 * 2 CRITICAL, 3 UNKNOWN). Never throws: every failure becomes a message and exit code 3.
 */
export async function runCheck(argv: string[], io: CheckIo = PROCESS_IO): Promise<number> {
  let args;
  try {
    args = parseCheckArgs(argv);
  } catch (error) {
    if (!(error instanceof CheckArgsError)) throw error;
    io.stderr(`portpressure-agent check: ${error.message}\nRun "portpressure-agent check --help" for the options.\n`);
    return EXIT_CODES.UNKNOWN;
  }
  if (args.help) {
    io.stdout(CHECK_USAGE);
    return 0;
  }

  const emit = async (text: string): Promise<boolean> => {
    if (args.output === undefined) {
      io.stdout(text);
      return true;
    }
    try {
      await io.writeFile(args.output, text);
      return true;
    } catch (error) {
      io.stderr(`portpressure-agent check: cannot write ${args.output}: ${error instanceof Error ? error.message : String(error)}\n`);
      return false;
    }
  };

  if (args.allNamespaces) {
    const { checkAllNamespaces } = await import('./check-all-namespaces.ts');
    const collectAll = io.collectAll ?? (await import('../namespaces/collect-all-namespaces.ts')).collectAllNamespaces;
    return checkAllNamespaces(args, collectAll, emit);
  }

  let result: CollectResult;
  try {
    const options = { source: collectorSource(args.source), maxTuples: args.top };
    // Prometheus textfiles are written every minute or so: they stay a single, cheap measurement.
    const diagnosed = args.diagnose && args.format !== 'prometheus' ? io.collectDiagnosed : undefined;
    result = diagnosed ? await diagnosed(options, args.churnWindowSeconds) : await io.collect(options);
  } catch (error) {
    const code = error instanceof CollectError ? error.code : 'INTERNAL';
    const message = error instanceof Error ? error.message : String(error);
    if (args.format === 'json')
      await emit(`${JSON.stringify({ status: 'UNKNOWN', exitCode: EXIT_CODES.UNKNOWN, error: { code, message } }, null, 2)}\n`);
    else if (args.format === 'prometheus') {
      io.stderr(`portpressure-agent check: cannot measure this host: ${message} [${code}]\n`);
      await emit(failedCheckPrometheus());
    } else await emit(`PORTPRESSURE UNKNOWN - cannot measure this host: ${message} [${code}]\n`);
    return EXIT_CODES.UNKNOWN;
  }

  const thresholds = { warning: args.warning, critical: args.critical };
  const status = statusOf(result.report, thresholds);
  const outcome = {
    status,
    exitCode: EXIT_CODES[status],
    thresholds,
    report: result.report,
    hints: adviseOnReport(result.report, { threshold: args.warning }),
    warnings: result.warnings,
  };
  const text = args.format === 'json' ? checkJson(outcome) : args.format === 'prometheus' ? checkPrometheus(outcome) : checkText(outcome);
  if (!(await emit(text))) return EXIT_CODES.UNKNOWN;
  return outcome.exitCode;
}
