import { describe, expect, it } from 'vitest';
import { createLineLogger } from './line-logger.ts';
import { createLogger } from './logger.ts';

function sink(isTTY = false) {
  const lines: string[] = [];
  return { lines, output: { isTTY, write: (line: string) => lines.push(line) } };
}

/** The time differs between two loggers; everything else must not. */
const withoutTime = (line: string) => line.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/, 'TIME');

describe('createLineLogger', () => {
  const messages: ['info' | 'warn' | 'error' | 'debug', string][] = [
    ['info', 'reporting web-1 to http://api.example:8080 every 15 s'],
    ['warn', 'warning: netlink source unavailable ("ss" was not found); read /proc/net instead'],
    ['error', 'could not enroll with token ppt_abcdefghijklmnop at https://u:pw@api.example/x?y=1'],
    ['debug', 'dropped below the info level'],
  ];

  it.each(['json', 'pretty'] as const)('writes the lines createLogger writes (%s), secrets scrubbed, levels filtered', (format) => {
    const pinoOut = sink(format === 'pretty');
    const lineOut = sink(format === 'pretty');
    const pinoLogger = createLogger({ service: 'agent', level: 'info', format, output: pinoOut.output });
    const lineLogger = createLineLogger({ service: 'agent', level: 'info', format, output: lineOut.output });
    for (const [level, message] of messages) {
      pinoLogger[level](message);
      lineLogger[level](message);
    }
    expect(lineOut.lines).toHaveLength(3);
    expect(lineOut.lines.map(withoutTime)).toEqual(pinoOut.lines.map(withoutTime));
    expect(lineOut.lines.join('')).not.toContain('abcdefghijklmnop');
    expect(lineOut.lines.join('')).not.toContain(':pw@');
  });

  it('writes one JSON object per line with an ISO UTC time', () => {
    const out = sink();
    createLineLogger({ service: 'agent', level: 'debug', format: 'auto', output: out.output }).debug('hello');
    expect(out.lines).toHaveLength(1);
    const entry = JSON.parse(out.lines[0] ?? '') as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 20, levelName: 'debug', service: 'agent', msg: 'hello' });
    expect(new Date(String(entry['time'])).toISOString()).toBe(entry['time']);
  });
});
