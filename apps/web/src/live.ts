import type { LiveMessage } from '@portpressure/protocol';
import { useEffect, useSyncExternalStore } from 'react';
import { subscribeLive } from './api.ts';

// One live WebSocket for the whole app while signed in; pages subscribe to its messages.

type Listener = (m: LiveMessage) => void;
const listeners = new Set<Listener>();
const statusListeners = new Set<() => void>();
const reconnectListeners = new Set<() => void>();
let connected = false;
let stop: (() => void) | undefined;
let everConnected = false;

function setConnected(value: boolean): void {
  if (value && everConnected) for (const l of reconnectListeners) l();
  if (value) everConnected = true;
  connected = value;
  for (const l of statusListeners) l();
}

export function startLive(): void {
  stop ??= subscribeLive((m) => {
    for (const l of listeners) l(m);
  }, setConnected);
}

export function stopLive(): void {
  stop?.();
  stop = undefined;
  everConnected = false;
  setConnected(false);
}

export function addLiveListener(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Runs after the channel comes back from an outage: whatever changed meanwhile must be reloaded. */
export function onLiveReconnect(listener: () => void): () => void {
  reconnectListeners.add(listener);
  return () => reconnectListeners.delete(listener);
}

export function useLiveStatus(): boolean {
  return useSyncExternalStore(
    (cb) => {
      statusListeners.add(cb);
      return () => statusListeners.delete(cb);
    },
    () => connected,
  );
}

/** Calls `listener` for every live message while the component is mounted. */
export function useLiveMessages(listener: Listener): void {
  useEffect(() => addLiveListener(listener), [listener]);
}
