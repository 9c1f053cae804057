import { describe, expect, it } from 'vitest';
import { EMPTY_ALLOWLIST, parseAddressAllowlist, refusedAddressReason, webhookTargetRefusal } from './address-guard.ts';

describe('address guard', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '0.0.0.0',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '100.64.0.1',
    '169.254.169.254',
    '224.0.0.1',
    '::1',
    '::',
    'fe80::1',
    'fd00:ec2::254',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '64:ff9b::a00:1',
  ])('refuses %s', (address) => {
    expect(refusedAddressReason(address, EMPTY_ALLOWLIST)).toMatch(/PORTPRESSURE_WEBHOOK_ALLOW/);
  });

  it.each(['93.184.215.14', '2606:4700::6810:85e5', '8.8.8.8'])('lets public %s through', (address) => {
    expect(refusedAddressReason(address, EMPTY_ALLOWLIST)).toBeUndefined();
  });

  it('allows what the allowlist names, including mapped IPv6 forms of an allowed IPv4 address', () => {
    const allow = parseAddressAllowlist('10.1.2.3, 192.168.0.0/16 fd00::/8');
    expect(refusedAddressReason('10.1.2.3', allow)).toBeUndefined();
    expect(refusedAddressReason('10.1.2.4', allow)).toBeDefined();
    expect(refusedAddressReason('192.168.77.1', allow)).toBeUndefined();
    expect(refusedAddressReason('::ffff:10.1.2.3', allow)).toBeUndefined();
    expect(refusedAddressReason('fd12::1', allow)).toBeUndefined();
  });

  it('names a bad allowlist entry', () => {
    expect(() => parseAddressAllowlist('10.0.0.0/33')).toThrow(/"10.0.0.0\/33" is not an IP address or CIDR subnet/);
    expect(() => parseAddressAllowlist('intranet.local')).toThrow(/intranet.local/);
  });

  it('judges URLs by their normalized host: decimal, hex, bracketed and localhost spellings', () => {
    for (const url of ['http://2130706433/', 'http://0x7f.1/', 'http://[::1]:8080/', 'http://LOCALHOST./x', 'http://a.localhost/']) {
      expect(webhookTargetRefusal(url, EMPTY_ALLOWLIST), url).toBeDefined();
    }
    expect(webhookTargetRefusal('https://hooks.slack.com/services/x', EMPTY_ALLOWLIST)).toBeUndefined();
    expect(webhookTargetRefusal('http://127.0.0.1:9000/', parseAddressAllowlist('127.0.0.0/8'))).toBeUndefined();
  });
});
