import { describe, expect, it } from 'vitest';
import { AgentConfigError, loadRunConfig } from './config.ts';
import { collectorSource, parseSourceName, SOURCE_CHOICES } from './socket-source.ts';

describe('socket source names', () => {
  it('names the sources ss, proc and auto, and still takes netlink as the old name of ss', () => {
    expect(SOURCE_CHOICES).toBe('auto, ss, proc');
    expect(parseSourceName('ss')).toBe('ss');
    expect(parseSourceName('netlink')).toBe('ss');
    expect(parseSourceName('proc')).toBe('proc');
    expect(parseSourceName('auto')).toBe('auto');
    expect(parseSourceName('kernel')).toBeUndefined();
    expect(parseSourceName('toString')).toBeUndefined();
  });

  it('runs the ss collector for ss, which reports keep calling netlink on the wire', () => {
    expect(collectorSource('ss')).toBe('netlink');
    expect(collectorSource('proc')).toBe('proc');
    expect(collectorSource('auto')).toBe('auto');
  });

  it('configures the agent with --source or PORTPRESSURE_SOURCE under either name, and refuses others', () => {
    const env = { PORTPRESSURE_SERVER_URL: 'http://127.0.0.1:3000' };
    expect(loadRunConfig([], env).source).toBe('auto');
    expect(loadRunConfig(['--source', 'ss'], env).source).toBe('ss');
    expect(loadRunConfig([], { ...env, PORTPRESSURE_SOURCE: 'netlink' }).source).toBe('ss');
    expect(loadRunConfig([], { ...env, PORTPRESSURE_SOURCE: 'proc' }).source).toBe('proc');
    expect(() => loadRunConfig(['--source', 'kernel'], env)).toThrow(AgentConfigError);
    expect(() => loadRunConfig(['--source', 'kernel'], env)).toThrow(
      /--source must be auto, ss, proc \(netlink is the old name of ss\), got "kernel"/,
    );
  });
});
