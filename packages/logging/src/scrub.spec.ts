import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
import { scrubSecrets } from './scrub.ts';

describe('scrubSecrets', () => {
  it('masks API tokens and host credentials', () => {
    expect(scrubSecrets('token ppt_AbCdEfGhIjKlMnOp-_123 and ppc_ZZZZZZZZZZZZ')).toBe('token ppt_[redacted] and ppc_[redacted]');
  });

  it('keeps only the origin of URLs, and masks passwords in them', () => {
    expect(scrubSecrets('posting to https://hooks.slack.com/services/T0/B0/secretpart?x=1 failed')).toBe(
      'posting to https://hooks.slack.com/[redacted] failed',
    );
    expect(scrubSecrets('db postgresql://pp:hunter2@db:5432/pp')).toBe('db postgresql://pp:[redacted]@db:5432/[redacted]');
    expect(scrubSecrets('listening on http://localhost:8080')).toBe('listening on http://localhost:8080');
  });
});

describe('createLogger', () => {
  const capture = (isTTY: boolean) => {
    const lines: string[] = [];
    return { lines, output: { isTTY, write: (line: string) => lines.push(line) } };
  };

  it('writes JSON lines with a UTC time and no colour when not on a terminal', () => {
    const { lines, output } = capture(false);
    createLogger({ service: 'api', level: 'info', format: 'auto', output })
      .child({ context: 'Auth' })
      .warn('careful with https://example.com/hook/abc');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({
      service: 'api',
      context: 'Auth',
      level: 40,
      levelName: 'warn',
      msg: 'careful with https://example.com/[redacted]',
    });
    expect(entry.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(lines[0]).not.toContain('\x1b[');
  });

  it('masks secret fields of logged objects', () => {
    const { lines, output } = capture(false);
    createLogger({ service: 'api', level: 'info', format: 'json', output }).info(
      { channel: { webhookUrl: 'https://x/y', secret: 's3cr3t' }, password: 'pw' },
      'saved',
    );
    expect(lines[0]).not.toMatch(/s3cr3t|"pw"|https:\/\/x\/y/);
  });

  it('writes readable UTC lines on a terminal, and no colour in pretty mode to a file', () => {
    const tty = capture(true);
    createLogger({ service: 'agent', level: 'info', format: 'auto', output: tty.output }).info('hello');
    expect(tty.lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \x1b\[32mINFO \x1b\[0m hello\n$/);
    const file = capture(false);
    createLogger({ service: 'agent', level: 'info', format: 'pretty', output: file.output }).info({ context: 'Link' }, 'hello');
    expect(file.lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO  \[Link\] hello\n$/);
  });
});
