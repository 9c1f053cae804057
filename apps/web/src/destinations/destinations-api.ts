import {
  destinationListSchema,
  egressLimitSchema,
  egressOverviewSchema,
  hostEgressGroupSchema,
  type DestinationList,
  type EgressLimit,
  type EgressOverview,
  type HostEgressGroup,
} from '@portpressure/protocol';
import { request } from '../api.ts';

// The destinations and egress REST API for the Destinations page; every answer is checked with the protocol.

export const fetchDestinations = (signal: AbortSignal): Promise<DestinationList> =>
  request('/api/destinations?limit=200', (b) => destinationListSchema.parse(b), { signal });

export const fetchEgress = (signal: AbortSignal): Promise<EgressOverview> =>
  request('/api/egress', (b) => egressOverviewSchema.parse(b), { signal });

/** `10.0.0.5:443`, IPv6 in brackets: the path segment the limits API takes. */
export function endpointOf(remoteAddress: string, remotePort: number): string {
  return remoteAddress.includes(':') ? `[${remoteAddress}]:${remotePort}` : `${remoteAddress}:${remotePort}`;
}

export const setEgressLimit = (endpoint: string, limit: number): Promise<EgressLimit> =>
  request(`/api/egress/limits/${encodeURIComponent(endpoint)}`, (b) => egressLimitSchema.parse(b), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ limit }),
  });

export const clearEgressLimit = (endpoint: string): Promise<EgressLimit> =>
  request(`/api/egress/limits/${encodeURIComponent(endpoint)}`, (b) => egressLimitSchema.parse(b), { method: 'DELETE' });

export const fetchHostEgressGroup = (hostId: string, signal: AbortSignal): Promise<HostEgressGroup> =>
  request(`/api/hosts/${encodeURIComponent(hostId)}/egress-group`, (b) => hostEgressGroupSchema.parse(b), { signal });

/** Sets a host's egress group explicitly, or with null lets it follow its label again. */
export const setHostEgressGroup = (hostId: string, group: string | null): Promise<HostEgressGroup> =>
  request(`/api/hosts/${encodeURIComponent(hostId)}/egress-group`, (b) => hostEgressGroupSchema.parse(b), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ group }),
  });
