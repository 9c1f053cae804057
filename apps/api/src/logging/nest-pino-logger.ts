import type { LoggerService } from '@nestjs/common';
import { createLogger, type Logger } from '@portpressure/logging';
import type { ApiConfig } from '../config/config.ts';

type PinoLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

const PINO_LEVEL = { error: 'error', warn: 'warn', log: 'info', debug: 'debug' } as const;

/** The API's logger for `config`, writing to `output` (stdout by default). */
export function createApiLogger(
  config: Pick<ApiConfig, 'logLevel' | 'logFormat'>,
  output?: { write(line: string): unknown; isTTY?: boolean },
): Logger {
  return createLogger({ service: 'api', level: PINO_LEVEL[config.logLevel], format: config.logFormat, output });
}

/**
 * Nest's logger interface over pino, so every `new Logger('Context')` in the features writes the
 * same JSON lines. Nest passes the context as the last extra argument, and for errors a stack
 * before it.
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}

  readonly log = this.at('info');
  readonly error = this.at('error');
  readonly warn = this.at('warn');
  readonly debug = this.at('debug');
  readonly verbose = this.at('trace');
  readonly fatal = this.at('fatal');

  /** One of Nest's level methods, written to pino at `level`. */
  private at(level: PinoLevel): (message: unknown, ...rest: unknown[]) => void {
    return (message, ...rest) => this.write(level, message, rest);
  }

  private write(level: PinoLevel, message: unknown, rest: unknown[]): void {
    const params = [...rest];
    const context = typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    const stack = level === 'error' && typeof params[0] === 'string' ? (params.shift() as string) : undefined;
    const fields: Record<string, unknown> = {};
    if (context !== undefined) fields.context = context;
    if (stack !== undefined) fields.stack = stack;
    if (message instanceof Error) {
      fields.err = { type: message.name, message: message.message, stack: message.stack };
      this.pino[level](fields, message.message);
    } else if (typeof message === 'string') {
      this.pino[level](fields, message);
    } else {
      this.pino[level]({ ...fields, data: message }, '');
    }
  }
}
