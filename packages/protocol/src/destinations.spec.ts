import { describe, expect, it } from 'vitest';
import { egressLimitBodySchema, endpointSchema } from './destinations.ts';

describe('endpointSchema', () => {
  it('reads address:port for IPv4 and [address]:port for IPv6, IPv4-mapped IPv6 as IPv4', () => {
    expect(endpointSchema.parse('10.0.0.5:443')).toEqual({ remoteAddress: '10.0.0.5', remotePort: 443 });
    expect(endpointSchema.parse('[2001:DB8::5]:5432')).toEqual({ remoteAddress: '2001:db8::5', remotePort: 5432 });
    expect(endpointSchema.parse('[::ffff:10.0.0.5]:80')).toEqual({ remoteAddress: '10.0.0.5', remotePort: 80 });
  });

  it('refuses anything else, saying how to write one', () => {
    for (const bad of [
      '10.0.0.5',
      'db.internal:5432',
      '10.0.0.5:0',
      '10.0.0.5:65536',
      '2001:db8::5:443',
      '10.0.0.256:80',
      '[10.0.0.5]:80x',
      '',
    ]) {
      const result = endpointSchema.safeParse(bad);
      expect(result.success, bad).toBe(false);
      expect(result.error?.issues[0]?.message).toContain('write address:port');
    }
  });
});

describe('egressLimitBodySchema', () => {
  it('takes a positive whole number of connections and nothing else', () => {
    expect(egressLimitBodySchema.parse({ limit: 55_000 })).toEqual({ limit: 55_000 });
    for (const bad of [{ limit: 0 }, { limit: -1 }, { limit: 2.5 }, { limit: '100' }, {}, { limit: 10, extra: 1 }]) {
      expect(egressLimitBodySchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
