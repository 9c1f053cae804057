import { adviseOnReport } from '@portpressure/domain';
import { CollectError, collectReport } from '../collect/index.ts';
import type { CollectOptions, CollectResult } from '../collect/index.ts';
import { CHECK_USAGE, CheckArgsError, parseCheckArgs } from './check-args.ts';
import { EXIT_CODES, statusOf } from './check-status.ts';
import { checkJson, checkText } from './format-check.ts';

export interface CheckIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** The measurement; tests may substitute a recorded report. */
  collect: (options: CollectOptions) => Promise<CollectResult>;
}

const PROCESS_IO: CheckIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  collect: collectReport,
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

  let result: CollectResult;
  try {
    result = await io.collect({ source: args.source, maxTuples: args.top });
  } catch (error) {
    const code = error instanceof CollectError ? error.code : 'INTERNAL';
    const message = error instanceof Error ? error.message : String(error);
    if (args.json) io.stdout(`${JSON.stringify({ status: 'UNKNOWN', exitCode: EXIT_CODES.UNKNOWN, error: { code, message } }, null, 2)}\n`);
    else io.stdout(`PORTPRESSURE UNKNOWN - cannot measure this host: ${message} [${code}]\n`);
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
  io.stdout(args.json ? checkJson(outcome) : checkText(outcome));
  return outcome.exitCode;
}
