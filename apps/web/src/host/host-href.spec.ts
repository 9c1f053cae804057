import { describe, expect, it } from 'vitest';
import { aHostNamespace } from '../../../../packages/protocol/src/test-factories.ts';
import { hostHref, namespaceByInode, namespaceFromSearch, namespaceOptionText } from './host-href.ts';

describe('host page addresses and the namespace picker', () => {
  it("reads the namespace from ?ns, the host's own when absent or malformed", () => {
    expect(namespaceFromSearch(new URLSearchParams('ns=12'))).toBe('12');
    expect(namespaceFromSearch(new URLSearchParams('range=24h'))).toBe('host');
    expect(namespaceFromSearch(new URLSearchParams('ns=host'))).toBe('host');
    expect(namespaceFromSearch(new URLSearchParams('ns=0'))).toBe('host');
    expect(namespaceFromSearch(new URLSearchParams('ns=../alerts'))).toBe('host');
  });

  it('builds a host page address with the namespace and range, leaving defaults out', () => {
    expect(hostHref('h 1')).toBe('/hosts/h%201');
    expect(hostHref('h1', { ns: 'host', range: { kind: '1h' } })).toBe('/hosts/h1');
    expect(hostHref('h1', { ns: '7' })).toBe('/hosts/h1?ns=7');
    expect(hostHref('h1', { ns: '7', range: { kind: '24h' } })).toBe('/hosts/h1?range=24h&ns=7');
    const from = Date.parse('2026-05-01T10:00:00Z');
    const to = Date.parse('2026-05-01T11:00:00Z');
    const href = hostHref('h1', { ns: '7', range: { kind: 'custom', from, to } });
    const search = new URL(href, 'http://x').searchParams;
    expect([search.get('range'), search.get('from'), search.get('to'), search.get('ns')]).toEqual([
      'custom',
      '2026-05-01T10:00:00.000Z',
      '2026-05-01T11:00:00.000Z',
      '7',
    ]);
  });

  it('lists a namespace with its pressure, and marks a gone one', () => {
    expect(namespaceOptionText(aHostNamespace())).toBe('pod shop/cart-7d9f · 90 %');
    expect(namespaceOptionText(aHostNamespace({ gone: true, goneAt: '2026-05-01T10:01:00Z' }))).toBe('pod shop/cart-7d9f · 90 % (gone)');
    expect(namespaceOptionText(aHostNamespace({ label: 'netns blue', pressure: null }))).toBe('netns blue · no report yet');
  });

  it("finds an alert's namespace by its inode: the existing one, else the one gone most recently", () => {
    const host = aHostNamespace({ id: 'host', host: true, inode: 4026531840, label: 'host' });
    const reused = aHostNamespace({ id: '9', inode: 4026532281 });
    const goneRecently = aHostNamespace({ id: '8', inode: 4026532281, gone: true, goneAt: '2026-05-01T10:00:00Z' });
    const goneEarlier = aHostNamespace({ id: '3', inode: 4026532281, gone: true, goneAt: '2026-05-01T09:00:00Z' });
    expect(namespaceByInode([host, reused, goneRecently, goneEarlier], '4026532281')?.id).toBe('9');
    expect(namespaceByInode([host, goneRecently, goneEarlier], '4026532281')?.id).toBe('8');
    expect(namespaceByInode([host, reused], '4026531840')?.id).toBe('host');
    expect(namespaceByInode([host, reused], '123')).toBeNull();
    expect(namespaceByInode([host, reused], null)).toBeNull();
  });
});
