import { describe, expect, it } from 'vitest';
import { bypassesProxy, tunnelProxyFor } from './egress-proxy.ts';

describe('bypassesProxy (NO_PROXY)', () => {
  it('matches hosts, subdomains, ports and the wildcard as curl does', () => {
    expect(bypassesProxy('smtp.example.com', 587, 'example.com')).toBe(true);
    expect(bypassesProxy('smtp.example.com', 587, '.example.com')).toBe(true);
    expect(bypassesProxy('example.com', 587, '*.example.com')).toBe(true);
    expect(bypassesProxy('badexample.com', 587, 'example.com')).toBe(false);
    expect(bypassesProxy('mail.internal', 25, 'mail.internal:587')).toBe(false);
    expect(bypassesProxy('mail.internal', 587, 'mail.internal:587')).toBe(true);
    expect(bypassesProxy('10.0.0.5', 25, 'localhost, 10.0.0.5')).toBe(true);
    expect(bypassesProxy('::1', 25, '[::1]')).toBe(true);
    expect(bypassesProxy('anything', 1, '*')).toBe(true);
    expect(bypassesProxy('anything', 1, undefined)).toBe(false);
    expect(bypassesProxy('anything', 1, '')).toBe(false);
  });

  it('picks HTTPS_PROXY, then HTTP_PROXY, for a tunnel unless NO_PROXY exempts the host', () => {
    const proxy = { httpsProxy: 'http://s:3128', httpProxy: 'http://p:3128', noProxy: 'relay.local' };
    expect(tunnelProxyFor('smtp.example.com', 587, proxy)).toBe('http://s:3128');
    expect(tunnelProxyFor('smtp.example.com', 587, { ...proxy, httpsProxy: undefined })).toBe('http://p:3128');
    expect(tunnelProxyFor('relay.local', 25, proxy)).toBeUndefined();
    expect(tunnelProxyFor('smtp.example.com', 587, { httpsProxy: undefined, httpProxy: undefined, noProxy: undefined })).toBeUndefined();
  });
});
