import { LIVE_WS_PATH, hostListSchema, liveMessageSchema, type HostSummary, type LiveMessage } from '@portpressure/protocol';

export async function fetchHosts(signal?: AbortSignal): Promise<HostSummary[]> {
  const res = await fetch('/api/hosts', { signal, headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`GET /api/hosts answered ${res.status}`);
  return hostListSchema.parse(await res.json()).hosts;
}

/** Opens the live channel and reconnects with backoff; returns a function that closes it for good. */
export function subscribeLive(onMessage: (m: LiveMessage) => void, onStatus: (connected: boolean) => void): () => void {
  let socket: WebSocket | undefined;
  let closed = false;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const connect = () => {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${LIVE_WS_PATH}`;
    socket = new WebSocket(url);
    socket.onopen = () => {
      attempt = 0;
      onStatus(true);
    };
    socket.onmessage = (event) => {
      const parsed = liveMessageSchema.safeParse(JSON.parse(String(event.data)));
      if (parsed.success) onMessage(parsed.data);
    };
    socket.onclose = () => {
      onStatus(false);
      if (closed) return;
      const delay = Math.min(30_000, 500 * 2 ** attempt++) * (0.5 + Math.random() / 2);
      timer = setTimeout(connect, delay);
    };
  };
  connect();
  return () => {
    closed = true;
    clearTimeout(timer);
    socket?.close();
  };
}
