import { fullJitterBackoff } from '@portpressure/domain';
import { describe, expect, it } from 'vitest';
import { isRedactedUrl, nextAttemptDelay, parseRetryAfter, redactUrl, sendHttp } from './http-sender.ts';

describe('nextAttemptDelay', () => {
  const policy = { baseMs: 1_000, maxMs: 60_000 };

  it('is the shared full-jitter backoff (packages/domain/src/backoff.spec.ts) with attempt n as retry n − 1', () => {
    for (const attempt of [1, 2, 3, 4, 6, 7, 20, 1_024, 1e9]) {
      for (const draw of [0, 0.5, 0.999_999]) {
        expect(nextAttemptDelay(attempt, policy, () => draw)).toBe(
          fullJitterBackoff(attempt - 1, { baseMs: 1_000, capMs: 60_000 }, () => draw),
        );
      }
    }
    expect(nextAttemptDelay(1, policy, () => 0.999_999)).toBe(999);
    expect(nextAttemptDelay(6, policy, () => 0.999_999)).toBe(31_999);
  });

  it('never comes sooner than Retry-After, even beyond the cap', () => {
    expect(nextAttemptDelay(1, { ...policy, retryAfterMs: 5_000 }, () => 0.1)).toBe(5_000);
    expect(nextAttemptDelay(10, { ...policy, retryAfterMs: 120_000 }, () => 0.999)).toBe(120_000);
    expect(nextAttemptDelay(7, { ...policy, retryAfterMs: 10 }, () => 0.5)).toBe(30_000);
  });

  it('treats a zero, negative or non-numeric attempt as the first', () => {
    for (const attempt of [0, -3, Number.NaN]) {
      expect(nextAttemptDelay(attempt, policy, () => 0.999_999)).toBe(999);
    }
  });

  it('clamps a random source that strays outside [0, 1]', () => {
    expect(nextAttemptDelay(1, policy, () => 7)).toBe(1_000);
    expect(nextAttemptDelay(1, policy, () => -1)).toBe(0);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-05-01T10:00:00Z');

  it('reads delay-seconds, including the fractional seconds Discord sends', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1_500);
  });

  it('reads an HTTP-date relative to now, and a past date as no wait', () => {
    expect(parseRetryAfter('Fri, 01 May 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Fri, 01 May 2026 09:00:00 GMT', now)).toBe(0);
  });

  it('ignores missing and malformed values', () => {
    for (const value of [null, undefined, '', 'soon', '-5', '1e3']) {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    }
  });
});

describe('redactUrl', () => {
  it.each([
    ['https://hooks.slack.com/services/T000/B000/XXXXXXXX', 'https://hooks.slack.com/***', 'XXXXXXXX'],
    ['https://discord.com/api/webhooks/123/tokenTOKEN', 'https://discord.com/***', 'tokenTOKEN'],
    ['https://chat.googleapis.com/v1/spaces/AAA/messages?key=KEY1&token=TOK1', 'https://chat.googleapis.com/***', 'TOK1'],
    ['https://user:hunter2@hooks.example.com/', 'https://hooks.example.com/***', 'hunter2'],
    ['http://127.0.0.1:8065/hooks/abc123', 'http://127.0.0.1:8065/***', 'abc123'],
    ['https://example.com/#frag-secret', 'https://example.com/***', 'frag-secret'],
  ])('keeps only scheme and host of %s', (url, expected, secret) => {
    const redacted = redactUrl(url);
    expect(redacted).toBe(expected);
    expect(redacted).not.toContain(secret);
    expect(isRedactedUrl(redacted)).toBe(true);
  });

  it('shows a bare origin as is, since there is nothing secret in it', () => {
    expect(redactUrl('https://example.com')).toBe('https://example.com/');
  });

  it('masks everything when the value is not a URL at all', () => {
    expect(redactUrl('not a url but maybe a token')).toBe('***');
  });

  it('tells a real URL from a masked one', () => {
    expect(isRedactedUrl('https://hooks.slack.com/services/T000/B000/XXX')).toBe(false);
  });
});

describe('sendHttp without a network', () => {
  it('refuses an unparseable URL without echoing it', async () => {
    const outcome = await sendHttp({ url: 'http://[::1/hooks/SECRET', method: 'POST', headers: {}, body: '{}' }, { timeoutMs: 1_000 });
    expect(outcome).toMatchObject({ ok: false, retryable: false });
    expect(JSON.stringify(outcome)).not.toContain('SECRET');
  });

  it('refuses header values a client cannot send, as not retryable', async () => {
    const outcome = await sendHttp(
      { url: 'http://127.0.0.1:9/x', method: 'POST', headers: { 'bad header': 'v' }, body: '{}' },
      { timeoutMs: 1_000 },
    );
    expect(outcome).toMatchObject({ ok: false, retryable: false });
  });

  it('does not retry a port that fetch always refuses to contact', async () => {
    const outcome = await sendHttp(
      { url: 'http://127.0.0.1:1/hooks/SECRET', method: 'POST', headers: {}, body: '{}' },
      { timeoutMs: 1_000 },
    );
    expect(outcome).toMatchObject({ ok: false, retryable: false });
    expect(JSON.stringify(outcome)).not.toContain('SECRET');
  });
});
