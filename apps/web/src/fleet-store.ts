import {
  encodeSparkline,
  fleetHostRowSchema,
  type FleetHostRow,
  type FleetTrend,
  type HostSummary,
  type HostTrend,
  toFleetTuple,
} from '@portpressure/protocol';
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { fetchFleet } from './api.ts';
import { liveRow } from './fleet/fleet-rows.ts';
import { addLiveListener, onLiveReconnect } from './live.ts';
import { queryClient, queryErrorText } from './query-client.ts';

/** Live changes are applied in batches this often: 10,000 hosts re-sort twice a second at most. */
const FLUSH_MS = 500;

export interface FleetState {
  status: 'loading' | 'ready' | 'error';
  error: string | null;
  hosts: ReadonlyMap<string, FleetHostRow>;
  /** serverTime − Date.now() at the last load: "now" in the server's clock is Date.now() + skewMs. */
  skewMs: number;
  offlineAfterMs: number;
  /** Bumped on every change, for memoised views. */
  version: number;
  /** False while the rows after the first screenful are still being checked. */
  complete: boolean;
}

const EMPTY: FleetState = {
  status: 'loading',
  error: null,
  hosts: new Map(),
  skewMs: 0,
  offlineAfterMs: 30_000,
  version: 0,
  complete: false,
};

/** The fleet's entry in the shared query cache (query-client.ts); sign-out clears it with the rest. */
const FLEET_KEY = ['fleet'] as const;
let pending = new Map<string, (h: FleetHostRow | undefined) => FleetHostRow | undefined>();
let flushTimer: ReturnType<typeof setTimeout> | undefined;
let stopListening: (() => void)[] = [];
let started = false;

const cached = (): FleetState | undefined => queryClient.getQueryData<FleetState>(FLEET_KEY);

function publish(next: Omit<FleetState, 'version'>): FleetState {
  const state = { ...next, version: (cached()?.version ?? 0) + 1 };
  queryClient.setQueryData<FleetState>(FLEET_KEY, state);
  return state;
}

/** Rows checked before the first render (more than a screenful); the rest follow in chunks. */
const FIRST_ROWS = 200;
const CHUNK_ROWS = 1000;

function checkRows(rows: unknown[], into: Map<string, FleetHostRow>): void {
  for (const row of rows) {
    const parsed = fleetHostRowSchema.safeParse(row);
    if (parsed.success) into.set(parsed.data.id, parsed.data);
    else console.warn('fleet: a row does not match the protocol and is left out', parsed.error.issues[0]);
  }
}

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Loads the fleet (the query's function). Rows arrive ranked, so the first ones are checked
 * against the protocol and published to the cache at once; the others are checked in chunks
 * between frames (checking 10,000 rows at once takes longer than drawing the page), then the
 * complete fleet is the query's answer.
 */
async function loadFleet(signal: AbortSignal): Promise<FleetState> {
  const list = await fetchFleet(signal);
  const skewMs = Date.parse(list.serverTime) - Date.now();
  const offlineAfterMs = list.offlineAfterSeconds * 1000;
  const hosts = new Map<string, FleetHostRow>();
  checkRows(list.hosts.slice(0, FIRST_ROWS), hosts);
  const base = { status: 'ready' as const, error: null, skewMs, offlineAfterMs };
  if (list.hosts.length > FIRST_ROWS) {
    publish({ ...base, hosts: new Map(hosts), complete: false });
    for (let i = FIRST_ROWS; i < list.hosts.length; i += CHUNK_ROWS) {
      await nextTask();
      checkRows(list.hosts.slice(i, i + CHUNK_ROWS), hosts);
    }
  }
  return { ...base, hosts: applyPending(hosts), complete: true, version: (cached()?.version ?? 0) + 1 };
}

const fleetQuery = {
  queryKey: FLEET_KEY,
  queryFn: ({ signal }: { signal: AbortSignal }) => loadFleet(signal),
  // Kept current by the live channel for the whole session, not by refetching.
  staleTime: Number.POSITIVE_INFINITY,
  gcTime: Number.POSITIVE_INFINITY,
  refetchOnWindowFocus: false,
};

/** Live changes that arrived while loading are newer than the list. */
function applyPending(hosts: Map<string, FleetHostRow>): Map<string, FleetHostRow> {
  for (const [id, update] of pending) {
    const h = update(hosts.get(id));
    if (h) hosts.set(id, h);
  }
  pending.clear();
  return hosts;
}

/** Starts loading the fleet early (before the page asks), e.g. while the session is checked. */
export function preloadFleet(): void {
  start();
  void queryClient.prefetchQuery(fleetQuery);
}

function queue(id: string, update: (h: FleetHostRow | undefined) => FleetHostRow | undefined): void {
  const previous = pending.get(id);
  pending.set(id, previous ? (h) => update(previous(h)) : update);
  flushTimer ??= setTimeout(flush, FLUSH_MS);
}

/** Applies the batched live changes to the cached fleet (a load in progress applies them itself). */
function flush(): void {
  flushTimer = undefined;
  const state = cached();
  if (pending.size === 0 || !state?.complete) return;
  const hosts = new Map(state.hosts);
  for (const [id, update] of pending) {
    const h = update(hosts.get(id));
    if (h) hosts.set(id, h);
  }
  pending = new Map();
  publish({ ...state, hosts });
}

/** Keeps the fleet current from the live channel for the rest of the session. */
function start(): void {
  if (started) return;
  started = true;
  stopListening = [
    addLiveListener((m) => {
      if (m.type === 'host') {
        queue(m.host.id, (h) => liveRow(fromSummary(m.host, h?.trend ?? null, h?.agentVersion ?? null), h, m.worstNamespace));
      } else if (m.type === 'trend') queue(m.hostId, (h) => (h ? { ...h, trend: fromTrend(m.trend) } : h));
    }),
    onLiveReconnect(() => void queryClient.invalidateQueries({ queryKey: FLEET_KEY })),
  ];
}

/** Drops a host this browser deleted, without waiting for the next full load. */
export function forgetHost(id: string): void {
  pending.delete(id);
  const s = cached();
  if (!s?.hosts.has(id)) return;
  const hosts = new Map(s.hosts);
  hosts.delete(id);
  publish({ ...s, hosts });
}

/** Stops following the live channel (sign-out; the cache itself is cleared by the app). */
export function resetFleet(): void {
  pending.clear();
  clearTimeout(flushTimer);
  flushTimer = undefined;
  for (const stop of stopListening) stop();
  stopListening = [];
  started = false;
}

export function useFleet(): FleetState {
  useEffect(start, []);
  const query = useQuery(fleetQuery);
  if (query.data) return query.data;
  const error = queryErrorText(query.error);
  return error === null ? EMPTY : { ...EMPTY, status: 'error', error };
}

/** A live `host` frame as a fleet row (the frame carries no trend: the row keeps its own). */
function fromSummary(h: HostSummary, trend: FleetTrend | null, agentVersion: string | null): FleetHostRow {
  const t = h.worstTuple;
  return {
    // live frames built from an agent's connection may not carry the version: keep the known one
    agentVersion: h.agentVersion ?? agentVersion,
    id: h.id,
    hostname: h.hostname,
    labels: h.labels,
    lastSeenAt: h.lastSeenAt,
    pressure: h.pressure,
    usable: h.usable,
    worst: t && toFleetTuple(t),
    trend,
  };
}

function fromTrend(t: HostTrend): FleetTrend {
  return { start: t.start, sparkline: encodeSparkline(t.pressure), slopePerSecond: t.slopePerSecond, exhaustsAt: t.exhaustsAt };
}
