import { describe, expect, it } from 'vitest';
import { sysctls } from './test-factories.ts';
import { oldEnoughToReuse, reuseAllowed } from './time-wait.ts';

describe('reuseAllowed (tcp_twsk_unique)', () => {
  it('never recycles with tcp_tw_reuse=0', () => {
    expect(reuseAllowed('127.0.0.1', '127.0.0.1', sysctls({ tcpTwReuse: 0 }))).toBe(false);
  });

  it('recycles any tuple with tcp_tw_reuse=1', () => {
    expect(reuseAllowed('10.0.0.1', '10.0.0.2', sysctls({ tcpTwReuse: 1 }))).toBe(true);
  });

  it('recycles only loopback tuples with tcp_tw_reuse=2', () => {
    const s = sysctls({ tcpTwReuse: 2 });
    expect(reuseAllowed('127.0.0.1', '127.0.0.2', s)).toBe(true);
    expect(reuseAllowed('::1', '::1', s)).toBe(true);
    expect(reuseAllowed('10.0.0.1', '127.0.0.1', s)).toBe(true);
    expect(reuseAllowed('10.0.0.1', '10.0.0.2', s)).toBe(false);
  });

  it('never recycles without TCP timestamps', () => {
    expect(reuseAllowed('127.0.0.1', '127.0.0.1', sysctls({ tcpTwReuse: 1, tcpTimestamps: 0 }))).toBe(false);
  });
});

describe('oldEnoughToReuse', () => {
  const s = sysctls({ tcpTwReuseDelayMs: 1000 });

  it('counts an entry with 58 s left (at least 1 s old) with the 1 s delay', () => {
    expect(oldEnoughToReuse(58, s)).toBe(true);
  });

  it('does not count an entry with 59 s or more left, which may be younger than 1 s', () => {
    expect(oldEnoughToReuse(59, s)).toBe(false);
    expect(oldEnoughToReuse(60, s)).toBe(false);
  });

  it('follows a longer tcp_tw_reuse_delay', () => {
    const slow = sysctls({ tcpTwReuseDelayMs: 5000 });
    expect(oldEnoughToReuse(54, slow)).toBe(true);
    expect(oldEnoughToReuse(55, slow)).toBe(false);
  });

  it('uses the 1 s default on kernels without tcp_tw_reuse_delay', () => {
    expect(oldEnoughToReuse(58, sysctls({ tcpTwReuseDelayMs: null }))).toBe(true);
    expect(oldEnoughToReuse(59, sysctls({ tcpTwReuseDelayMs: null }))).toBe(false);
  });

  it('does not count an entry whose age is unknown', () => {
    expect(oldEnoughToReuse(null, s)).toBe(false);
  });
});
