import { describe, expect, it } from 'vitest';
import { formatIpv6Bytes, ipv4FromProcHex, ipv6FromProcHex, isLoopbackAddress, unmapIpv4 } from './ip-address.ts';

function v6(text: string): number[] {
  // Test helper: expand a full 8-group address written without "::".
  return text.split(':').flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}

describe('addresses from /proc/net', () => {
  it('reads IPv4 printed in little-endian host order', () => {
    expect(ipv4FromProcHex('0100007F', 0, true)).toBe('127.0.0.1');
    expect(ipv4FromProcHex('0300007F', 0, true)).toBe('127.0.0.3');
  });

  it('reads IPv4 printed by a big-endian host', () => {
    expect(ipv4FromProcHex('7F000001', 0, false)).toBe('127.0.0.1');
  });

  it('reads ::1 and writes IPv4-mapped IPv6 as IPv4', () => {
    expect(ipv6FromProcHex('00000000000000000000000001000000', 0, true)).toBe('::1');
    expect(ipv6FromProcHex('0000000000000000FFFF00000100007F', 0, true)).toBe('127.0.0.1');
  });

  it('returns null on a non-hex digit', () => {
    expect(ipv4FromProcHex('0100007G', 0, true)).toBeNull();
  });
});

describe('IPv6 text like glibc inet_ntop (what ss prints)', () => {
  it.each([
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['fe80:0:0:0:0:0:0:1', 'fe80::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2:3:4:5:6'],
    ['2001:0:1:2:3:4:5:6', '2001:0:1:2:3:4:5:6'],
    ['0:0:0:0:0:ffff:a00:1', '::ffff:10.0.0.1'],
    ['0:0:0:0:0:0:a00:1', '::10.0.0.1'],
  ])('formats %s as %s', (full, expected) => {
    expect(formatIpv6Bytes(v6(full))).toBe(expected);
  });
});

describe('address helpers', () => {
  it('unmaps ::ffff:a.b.c.d and leaves other addresses alone', () => {
    expect(unmapIpv4('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(unmapIpv4('::ffff:7f00:1')).toBe('::ffff:7f00:1');
    expect(unmapIpv4('::1')).toBe('::1');
  });

  it('knows loopback the way tcp_tw_reuse=2 does', () => {
    expect(isLoopbackAddress('127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('127.8.9.10')).toBe(true);
    expect(isLoopbackAddress('::1')).toBe(true);
    expect(isLoopbackAddress('10.0.0.1')).toBe(false);
    expect(isLoopbackAddress('fe80::1')).toBe(false);
  });
});
