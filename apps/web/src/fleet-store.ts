import { encodeSparkline, fleetHostRowSchema, type FleetHostRow, type FleetTrend, type HostSummary, type HostTrend } from '@portpressure/protocol';
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
  /** False while the rows after the first screenful are still being checked. */
  complete: boolean;
}

let state: FleetState = { status: 'loading', error: null, hosts: new Map(), skewMs: 0, offlineAfterMs: 30_000, version: 0, complete: false };
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
 * Loads the fleet. Rows arrive ranked, so the first ones are checked against the protocol and
 * shown at once; the others are checked in chunks between frames (checking 10,000 rows at once
 * takes longer than drawing the page), then the fleet is complete.
 */
function load(): Promise<void> {
  loading ??= fetchFleet()
    .then(async (list) => {
      const skewMs = Date.parse(list.serverTime) - Date.now();
      const offlineAfterMs = list.offlineAfterSeconds * 1000;
      const hosts = new Map<string, FleetHostRow>();
      checkRows(list.hosts.slice(0, FIRST_ROWS), hosts);
      const complete = list.hosts.length <= FIRST_ROWS;
      set({ status: 'ready', error: null, hosts: complete ? applyPending(hosts) : new Map(hosts), skewMs, offlineAfterMs, complete });
      if (complete) return;
      for (let i = FIRST_ROWS; i < list.hosts.length; i += CHUNK_ROWS) {
        await nextTask();
        checkRows(list.hosts.slice(i, i + CHUNK_ROWS), hosts);
      }
      set({ hosts: applyPending(hosts), complete: true });
    })
    .catch((e: unknown) => {
      if (!(e instanceof SignedOutError)) set({ status: 'error', error: e instanceof Error ? e.message : String(e) });
    })
    .finally(() => (loading = undefined));
  return loading;
}

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
}

function queue(id: string, update: (h: FleetHostRow | undefined) => FleetHostRow | undefined): void {
  const previous = pending.get(id);
  pending.set(id, previous ? (h) => update(previous(h)) : update);
  flushTimer ??= setTimeout(flush, FLUSH_MS);
}

function flush(): void {
  flushTimer = undefined;
  if (pending.size === 0 || !state.complete) return; // load() applies them
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
      if (m.type === 'host') queue(m.host.id, (h) => fromSummary(m.host, h?.trend ?? null, h?.agentVersion ?? null));
      else if (m.type === 'trend') queue(m.hostId, (h) => (h ? { ...h, trend: fromTrend(m.trend) } : h));
    }),
    onLiveReconnect(() => void load()),
  ];
}

/** Drops a host this browser deleted, without waiting for the next full load. */
export function forgetHost(id: string): void {
  pending.delete(id);
  if (!state.hosts.has(id)) return;
  const hosts = new Map(state.hosts);
  hosts.delete(id);
  set({ hosts });
}

/** Forgets everything (sign-out). */
export function resetFleet(): void {
  state = { status: 'loading', error: null, hosts: new Map(), skewMs: 0, offlineAfterMs: 30_000, version: state.version + 1, complete: false };
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
