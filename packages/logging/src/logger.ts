import pino, { type DestinationStream, type Level, type Logger } from 'pino';
import { LEVEL_NAMES, prettyLine } from './pretty-line.ts';
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

/** Readable lines for a person at a terminal (see prettyLine). */
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
      output.write(prettyLine(entry, colour));
    },
  };
}

/**
 * The logger of the API (pino): JSON lines with an ISO UTC `time` by default
 * when the output is not a terminal (files, journald, containers), readable lines on a terminal.
 * Messages and logged objects pass through the secret scrubber, so a token or webhook URL that
 * slips into a message is masked before it is written. The long-lived agent writes the same lines
 * with createLineLogger (`@portpressure/logging/line`), which does not load pino.
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
