export const LEVEL_NAMES: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const LEVEL_COLOURS: Readonly<Record<number, string>> = { 20: '\x1b[90m', 30: '\x1b[32m', 40: '\x1b[33m', 50: '\x1b[31m', 60: '\x1b[35m' };

/**
 * One log entry as a readable line for a person at a terminal:
 * `2026-12-04T16:52:00.123Z INFO  [Auth] message`, still in UTC (a log read next to another
 * machine's must line up), coloured only on a terminal.
 */
export function prettyLine(entry: Record<string, unknown>, colour: boolean): string {
  const { time, level, levelName: _levelName, msg, context, service: _service, pid: _pid, hostname: _hostname, ...rest } = entry;
  const levelNo = typeof level === 'number' ? level : 30;
  const name = (LEVEL_NAMES[levelNo] ?? String(level)).padEnd(5);
  const tag = typeof context === 'string' ? ` [${context}]` : '';
  const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  const head = colour ? `${LEVEL_COLOURS[levelNo] ?? ''}${name}\x1b[0m` : name;
  return `${String(time)} ${head}${tag} ${String(msg ?? '')}${extra}\n`;
}
