import {
  hostNamespacesSchema,
  namespaceDetailSchema,
  namespaceHistorySchema,
  type HostNamespaces,
  type NamespaceDetail,
  type NamespaceHistory,
} from '@portpressure/protocol';
import { request } from '../api.ts';

const base = (hostId: string, namespaceId: string) =>
  `/api/hosts/${encodeURIComponent(hostId)}/namespaces/${encodeURIComponent(namespaceId)}`;

/** A host's namespaces, its own ("host") included, worst first; the gone ones follow. */
export const fetchHostNamespaces = (hostId: string, signal?: AbortSignal): Promise<HostNamespaces> =>
  request(`/api/hosts/${encodeURIComponent(hostId)}/namespaces?gone=true`, (b) => hostNamespacesSchema.parse(b), { signal });

/** One namespace's latest report (a gone one keeps its last) and advice. */
export const fetchNamespaceDetail = (hostId: string, namespaceId: string, signal?: AbortSignal): Promise<NamespaceDetail> =>
  request(base(hostId, namespaceId), (b) => namespaceDetailSchema.parse(b), { signal });

export function fetchNamespaceHistory(
  hostId: string,
  namespaceId: string,
  from: Date,
  to: Date,
  signal?: AbortSignal,
): Promise<NamespaceHistory> {
  const q = new URLSearchParams({ from: from.toISOString(), to: to.toISOString() });
  return request(`${base(hostId, namespaceId)}/history?${q}`, (b) => namespaceHistorySchema.parse(b), { signal });
}
