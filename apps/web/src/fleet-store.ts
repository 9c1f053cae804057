import type { FleetHost } from '@portpressure/protocol';
import { useEffect, useSyncExternalStore } from 'react';
import { fetchHosts, SignedOutError } from './api.ts';
import { addLiveListener, onLiveReconnect } from './live.ts';

/** Live changes are applied in batches this often: 10,000 hosts re-sort twice a second at most. */
const FLUSH_MS = 500;

export interface FleetState {
  status: 'loading' | 'ready' | 'error';
  error: string | null;
  hosts: ReadonlyMap<string, FleetHost>;
  /** serverTime − Date.now() at the last load: "now" in the server's clock is Date.now() + skewMs. */
  skewMs: number;
  offlineAfterMs: number;
  /** Bumped on every change, for memoised views. */
  version: number;
}

let state: FleetState = { status: 'loading', error: null, hosts: new Map(), skewMs: 0, offlineAfterMs: 30_000, version: 0 };
const subscribers = new Set<() => void>();
let pending = new Map<string, (h: FleetHost | undefined) => FleetHost | undefined>();
let flushTimer: ReturnType<typeof setTimeout> | undefined;
let stopListening: (() => void)[] = [];
let started = false;
let loading: Promise<void> | undefined;

function set(next: Partial<FleetState>): void {
  state = { ...state, ...next, version: state.version + 1 };
  for (const s of subscribers) s();
}

function load(): Promise<void> {
  loading ??= fetchHosts()
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

function queue(id: string, update: (h: FleetHost | undefined) => FleetHost | undefined): void {
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
      if (m.type === 'host') queue(m.host.id, (h) => ({ ...m.host, trend: h?.trend ?? null }));
      else if (m.type === 'trend') queue(m.hostId, (h) => (h ? { ...h, trend: m.trend } : h));
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

/** Whether a host counts as offline at `serverNow` (ms, server clock). */
export function isOffline(h: FleetHost, serverNow: number, offlineAfterMs: number): boolean {
  return h.lastSeenAt === null || serverNow - Date.parse(h.lastSeenAt) > offlineAfterMs;
}
