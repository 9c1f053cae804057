import { describe, expect, it } from 'vitest';
import { DomainError } from './domain-error.ts';
import { countPortsInRange, effectivePortMask, formatPortList, parsePortList } from './port-list.ts';

describe('port lists (ip_local_reserved_ports)', () => {
  it('reads single ports and ranges as the kernel prints them', () => {
    expect(parsePortList('8080,40000-40009,40050,40098-40099\n')).toEqual([
      { low: 8080, high: 8080 },
      { low: 40000, high: 40009 },
      { low: 40050, high: 40050 },
      { low: 40098, high: 40099 },
    ]);
  });

  it('reads an empty list as no reservation', () => {
    expect(parsePortList('\n')).toEqual([]);
  });

  it('sorts and merges a hand-written list', () => {
    expect(formatPortList(parsePortList('40050, 40000-40009,40005-40012,40013'))).toBe('40000-40013,40050');
  });

  it('refuses items that are not ports', () => {
    expect(() => parsePortList('80,abc')).toThrow(DomainError);
    expect(() => parsePortList('70000')).toThrow(/0-65535/);
    expect(() => parsePortList('90-80')).toThrow(/low before high/);
  });

  it('counts the 13 reserved ports of case T3 inside 40000-40099 (capacity 87)', () => {
    const reserved = parsePortList('8080,40000-40009,40050,40098-40099');
    expect(countPortsInRange(reserved, { low: 40000, high: 40099 })).toBe(13);
  });

  it('leaves reserved ports out of the effective range mask', () => {
    const mask = effectivePortMask({ low: 40000, high: 40099 }, parsePortList('40000-40009,40050'));
    expect(mask[39999]).toBe(0);
    expect(mask[40005]).toBe(0);
    expect(mask[40010]).toBe(1);
    expect(mask[40050]).toBe(0);
    expect(mask[40099]).toBe(1);
    expect(mask[40100]).toBe(0);
  });
});
