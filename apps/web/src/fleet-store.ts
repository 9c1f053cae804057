import { encodeSparkline, type FleetHostRow, type FleetTrend, type HostSummary, type HostTrend } from '@portpressure/protocol';
import { useEffect, useSyncExternalStore } from 'react';
import { fetchFleet, SignedOutError } from './api.ts';
import { addLiveListener, onLiveReconnect } from './live.ts';

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
}

let state: FleetState = { status: 'loading', error: null, hosts: new Map(), skewMs: 0, offlineAfterMs: 30_000, version: 0 };
const subscribers = new Set<() => void>();
let pending = new Map<string, (h: FleetHostRow | undefined) => FleetHostRow | undefined>();
let flushTimer: ReturnType<typeof setTimeout> | undefined;
let stopListening: (() => void)[] = [];
let started = false;
let loading: Promise<void> | undefined;

function set(next: Partial<FleetState>): void {
  state = { ...state, ...next, version: state.version + 1 };
  for (const s of subscribers) s();
}

function load(): Promise<void> {
  loading ??= fetchFleet()
    .then((list) => {
      const hosts = new Map(list.hosts.map((h) => [h.id, h]));
      // changes that arrived while loading are newer than the list
      for (const [id, update] of pending) {
        const h = update(hosts.get(id));
        if (h) hosts.set(id, h);
      }
      pending.clear();
      set({
        status: 'ready',
        error: null,
        hosts,
        skewMs: Date.parse(list.serverTime) - Date.now(),
        offlineAfterMs: list.offlineAfterSeconds * 1000,
      });
    })
    .catch((e: unknown) => {
      if (!(e instanceof SignedOutError)) set({ status: 'error', error: e instanceof Error ? e.message : String(e) });
    })
    .finally(() => (loading = undefined));
  return loading;
}

function queue(id: string, update: (h: FleetHostRow | undefined) => FleetHostRow | undefined): void {
  const previous = pending.get(id);
  pending.set(id, previous ? (h) => update(previous(h)) : update);
  flushTimer ??= setTimeout(flush, FLUSH_MS);
}

function flush(): void {
  flushTimer = undefined;
  if (pending.size === 0 || state.status !== 'ready') return;
  const hosts = new Map(state.hosts);
  for (const [id, update] of pending) {
    const h = update(hosts.get(id));
    if (h) hosts.set(id, h);
  }
  pending = new Map();
  set({ hosts });
}

/** Loads the fleet once and keeps it current from the live channel for the rest of the session. */
function start(): void {
  if (started) return;
  started = true;
  void load();
  stopListening = [
    addLiveListener((m) => {
      if (m.type === 'host') queue(m.host.id, (h) => fromSummary(m.host, h?.trend ?? null));
      else if (m.type === 'trend') queue(m.hostId, (h) => (h ? { ...h, trend: fromTrend(m.trend) } : h));
    }),
    onLiveReconnect(() => void load()),
  ];
}

/** Forgets everything (sign-out). */
export function resetFleet(): void {
  state = { status: 'loading', error: null, hosts: new Map(), skewMs: 0, offlineAfterMs: 30_000, version: state.version + 1 };
  pending.clear();
  for (const stop of stopListening) stop();
  stopListening = [];
  started = false;
}

export function useFleet(): FleetState {
  useEffect(start, []);
  return useSyncExternalStore(
    (cb) => {
      subscribers.add(cb);
      return () => subscribers.delete(cb);
    },
    () => state,
  );
}

/** A live `host` frame as a fleet row (the frame carries no trend: the row keeps its own). */
function fromSummary(h: HostSummary, trend: FleetTrend | null): FleetHostRow {
  const t = h.worstTuple;
  return {
    id: h.id,
    hostname: h.hostname,
    labels: h.labels,
    lastSeenAt: h.lastSeenAt,
    pressure: h.pressure,
    usable: h.usable,
    worst: t && {
      localAddress: t.localAddress,
      remoteAddress: t.remoteAddress,
      remotePort: t.remotePort,
      used: t.used,
      timeWait: t.timeWait,
      reclaimable: t.reclaimable,
    },
    trend,
  };
}

function fromTrend(t: HostTrend): FleetTrend {
  return { start: t.start, sparkline: encodeSparkline(t.pressure), slopePerSecond: t.slopePerSecond, exhaustsAt: t.exhaustsAt };
}

/** Whether a host counts as offline at `serverNow` (ms, server clock). */
export function isOffline(h: FleetHostRow, serverNow: number, offlineAfterMs: number): boolean {
  return h.lastSeenAt === null || serverNow - Date.parse(h.lastSeenAt) > offlineAfterMs;
}
