import { HOST_NAMESPACE_ID, namespaceIdSchema, type HostNamespace, type NamespaceId } from '@portpressure/protocol';
import { percent } from '../format.ts';
import { rangeToSearch, type RangeChoice } from './range-picker.tsx';

/** The namespace a host page shows: `?ns=<id>`, the host's own when absent or malformed. */
export function namespaceFromSearch(search: URLSearchParams): NamespaceId {
  const parsed = namespaceIdSchema.safeParse(search.get('ns') ?? HOST_NAMESPACE_ID);
  return parsed.success ? parsed.data : HOST_NAMESPACE_ID;
}

/** A host page's address with a namespace and a time range selected (defaults left out). */
export function hostHref(hostId: string, options: { ns?: string; range?: RangeChoice } = {}): string {
  const q = new URLSearchParams(options.range ? rangeToSearch(options.range) : '');
  if (options.ns && options.ns !== HOST_NAMESPACE_ID) q.set('ns', options.ns);
  const s = q.toString();
  return `/hosts/${encodeURIComponent(hostId)}${s ? `?${s}` : ''}`;
}

/**
 * The namespace an `?inode=` link means (an alert names a namespace by its inode): the existing
 * one with that inode, else the one gone most recently (the kernel reuses inodes; the API lists
 * gone namespaces most recent first).
 */
export function namespaceByInode(namespaces: HostNamespace[], inode: string | null): HostNamespace | null {
  if (inode === null) return null;
  const matching = namespaces.filter((n) => n.inode !== null && String(n.inode) === inode);
  return matching.find((n) => !n.gone) ?? matching[0] ?? null;
}

/** A namespace as the picker lists it: "pod shop/cart-7d9f · 93 %", gone ones marked. */
export function namespaceOptionText(ns: Pick<HostNamespace, 'label' | 'pressure' | 'gone'>): string {
  return `${ns.label} · ${ns.pressure === null ? 'no report yet' : percent(ns.pressure)}${ns.gone ? ' (gone)' : ''}`;
}
