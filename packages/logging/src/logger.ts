import pino, { type DestinationStream, type Level, type Logger } from 'pino';
import { SECRET_KEYS, scrubSecrets } from './scrub.ts';

export type LogFormat = 'auto' | 'json' | 'pretty';

export interface LoggerOptions {
  /** `service` field of every line: "api" or "agent". */
  service: string;
  level: Level;
  /** auto: JSON lines unless the output is a terminal. */
  format: LogFormat;
  /** Where lines go (default stdout); tests pass their own. */
  output?: { write(line: string): unknown; isTTY?: boolean };
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const LEVEL_COLOURS: Record<number, string> = { 20: '\x1b[90m', 30: '\x1b[32m', 40: '\x1b[33m', 50: '\x1b[31m', 60: '\x1b[35m' };

/**
 * Readable lines for a person at a terminal: `2026-12-04T16:52:00.123Z INFO  [Auth] message`,
 * still in UTC (a log read next to another machine's must line up), coloured only on a terminal.
 */
function prettyStream(output: NonNullable<LoggerOptions['output']>, colour: boolean): DestinationStream {
  return {
    write(line: string) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        output.write(line);
        return;
      }
      const { time, level, levelName: _levelName, msg, context, service: _service, pid: _pid, hostname: _hostname, ...rest } = entry;
      const levelNo = typeof level === 'number' ? level : 30;
      const name = (LEVEL_NAMES[levelNo] ?? String(level)).padEnd(5);
      const tag = typeof context === 'string' ? ` [${context}]` : '';
      const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
      const head = colour ? `${LEVEL_COLOURS[levelNo] ?? ''}${name}\x1b[0m` : name;
      output.write(`${String(time)} ${head}${tag} ${String(msg ?? '')}${extra}\n`);
    },
  };
}

/**
 * The one logger of the API and the agent (pino): JSON lines with an ISO UTC `time` by default
 * when the output is not a terminal (files, journald, containers), readable lines on a terminal.
 * Messages and logged objects pass through the secret scrubber, so a token or webhook URL that
 * slips into a message is masked before it is written.
 */
export function createLogger(options: LoggerOptions): Logger {
  const output = options.output ?? process.stdout;
  const pretty = options.format === 'pretty' || (options.format === 'auto' && output.isTTY === true);
  const destination: DestinationStream = pretty
    ? prettyStream(output, output.isTTY === true)
    : { write: (line: string) => output.write(line) };
  return pino(
    {
      level: options.level,
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: SECRET_KEYS.flatMap((k) => [k, `*.${k}`]), censor: '[redacted]' },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a: unknown) => (typeof a === 'string' ? scrubSecrets(a) : a));
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
      formatters: { level: (_label, number) => ({ level: number, levelName: LEVEL_NAMES[number]?.toLowerCase() ?? String(number) }) },
    },
    destination,
  );
}

export type { Logger };
