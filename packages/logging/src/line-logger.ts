import type { LogFormat } from './logger.ts';
import { isoTime } from './iso-time.ts';
import { prettyLine } from './pretty-line.ts';
import { scrubSecrets } from './scrub.ts';

export type LineLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LineLoggerOptions {
  /** `service` field of every line. */
  service: string;
  /** Lines below this level are dropped. */
  level: LineLevel;
  /** auto: JSON lines unless the output is a terminal. */
  format: LogFormat;
  /** Where lines go (default stdout); tests pass their own. */
  output?: { write(line: string): unknown; isTTY?: boolean };
}

export interface LineLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** pino's level numbers, which the lines carry. */
const LEVELS: Readonly<Record<LineLevel, number>> = { debug: 20, info: 30, warn: 40, error: 50 };

/**
 * createLogger's lines (the same JSON fields in the same order, the same readable form on a
 * terminal, the same secret scrubbing) for a process that logs plain messages only: the
 * long-lived agent. It does not load pino, whose modules (worker-thread transports, serializers,
 * redaction) cost the agent about 2 MB of resident memory for features it never uses.
 */
export function createLineLogger(options: LineLoggerOptions): LineLogger {
  const output = options.output ?? process.stdout;
  const pretty = options.format === 'pretty' || (options.format === 'auto' && output.isTTY === true);
  const colour = output.isTTY === true;
  const threshold = LEVELS[options.level];
  const write = (levelName: LineLevel, message: string) => {
    const level = LEVELS[levelName];
    if (level < threshold) return;
    const entry = { level, levelName, time: isoTime(), service: options.service, msg: scrubSecrets(message) };
    output.write(pretty ? prettyLine(entry, colour) : `${JSON.stringify(entry)}\n`);
  };
  return {
    debug: (message) => write('debug', message),
    info: (message) => write('info', message),
    warn: (message) => write('warn', message),
    error: (message) => write('error', message),
  };
}
