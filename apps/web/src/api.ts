import { fullJitterBackoff } from '@portpressure/domain';
import {
  LIVE_WS_PATH,
  apiErrorSchema,
  fleetEnvelopeSchema,
  hostDeletedSchema,
  hostDetailSchema,
  hostDiagnosticsSchema,
  hostHistorySchema,
  liveMessageSchema,
  sessionInfoSchema,
  type FleetEnvelope,
  type HostDetail,
  type HostDiagnostics,
  type HostHistory,
  type LiveMessage,
  type SessionInfo,
} from '@portpressure/protocol';

/** The API answered 401: the session is missing or over. The app shows the sign-in page. */
export class SignedOutError extends Error {}

/** The API answered with an error body; `message` is the server's explanation. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type SignedOutListener = () => void;
const signedOutListeners = new Set<SignedOutListener>();

/** Called whenever any request finds the session gone. */
export function onSignedOut(listener: SignedOutListener): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

/** Request options for `method` with `body`, if any, as JSON. */
export const json = (method: string, body?: unknown): RequestInit => ({
  method,
  ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
});

export async function request<T>(path: string, parse: (body: unknown) => T, init: RequestInit = {}): Promise<T> {
  const res = await fetch(path, { ...init, credentials: 'same-origin', headers: { accept: 'application/json', ...init.headers } });
  if (res.status === 401 && path !== '/api/auth/login') {
    for (const l of signedOutListeners) l();
    throw new SignedOutError('sign in to continue');
  }
  if (!res.ok) {
    const body = apiErrorSchema.safeParse(await res.json().catch(() => null));
    throw body.success
      ? new ApiRequestError(res.status, body.data.code, body.data.message)
      : new ApiRequestError(res.status, `HTTP_${res.status}`, `${path} answered ${res.status}`);
  }
  return parse(await res.json());
}

export const fetchMe = (signal?: AbortSignal): Promise<SessionInfo> =>
  request('/api/auth/me', (b) => sessionInfoSchema.parse(b), { signal });

export function signIn(username: string, password: string): Promise<SessionInfo> {
  return request('/api/auth/login', (b) => sessionInfoSchema.parse(b), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
}

export async function signOut(): Promise<void> {
  await fetch('/api/auth/logout', { method: 'POST', credentials: 'same-origin' });
}

/** The fleet ranking (compact rows of every host); the caller checks the rows (fleet-store.ts). */
export const fetchFleet = (signal?: AbortSignal): Promise<FleetEnvelope> =>
  request('/api/fleet', (b) => fleetEnvelopeSchema.parse(b), { signal });

export const fetchDetail = (id: string, signal?: AbortSignal): Promise<HostDetail> =>
  request(`/api/hosts/${encodeURIComponent(id)}/detail`, (b) => hostDetailSchema.parse(b), { signal });

/** The host's latest diagnosis (processes, churn, verdicts, conntrack, SNAT, kernel counters). */
export const fetchDiagnostics = (id: string, signal?: AbortSignal): Promise<HostDiagnostics> =>
  request(`/api/hosts/${encodeURIComponent(id)}/diagnostics`, (b) => hostDiagnosticsSchema.parse(b), { signal });

/** Deletes a host with its history (the page asks for confirmation first). */
export const deleteHost = (id: string): Promise<unknown> =>
  request(`/api/hosts/${encodeURIComponent(id)}`, (b) => hostDeletedSchema.parse(b), { method: 'DELETE' });

export function fetchHistory(id: string, from: Date, to: Date, signal?: AbortSignal): Promise<HostHistory> {
  const q = new URLSearchParams({ from: from.toISOString(), to: to.toISOString() });
  return request(`/api/hosts/${encodeURIComponent(id)}/history?${q}`, (b) => hostHistorySchema.parse(b), { signal });
}

const LIVE_BACKOFF = { baseMs: 500, capMs: 30_000 };

/**
 * Opens the live channel and reconnects with capped, full-jitter backoff. The server refuses the
 * upgrade without a session (browsers only see a failed socket), so after a failure the session
 * is checked once, which sends a signed-out browser to the sign-in page.
 */
export function subscribeLive(onMessage: (m: LiveMessage) => void, onStatus: (connected: boolean) => void): () => void {
  let socket: WebSocket | undefined;
  let closed = false;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const connect = () => {
    socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${LIVE_WS_PATH}`);
    let opened = false;
    socket.onopen = () => {
      opened = true;
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
      if (!opened) void fetchMe().catch(() => undefined);
      const delay = fullJitterBackoff(attempt++, LIVE_BACKOFF);
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
