import { fullJitterBackoff } from '@portpressure/domain';
import { Agent, type Dispatcher, fetch as undiciFetch } from 'undici';
import {
  AddressRefusedError,
  EMPTY_ALLOWLIST,
  guardedLookup,
  refusedAddressReason,
  resolvedAddressRefusal,
  type AddressAllowlist,
} from '../security/address-guard.ts';

/** What a provider asks the sender to deliver. The URL is a secret: never log it, use redactUrl. */
export interface OutgoingRequest {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
}

/**
 * Result of one delivery attempt. `retryable` tells the outbox worker whether to schedule another
 * attempt (network errors, timeouts, 5xx, 429) or to mark the notification failed (other 4xx).
 * `error` is safe to store and show: it never contains the full webhook URL.
 */
export type DeliveryOutcome =
  | { ok: true; status: number; durationMs: number }
  | {
      ok: false;
      retryable: boolean;
      status?: number;
      /** From the receiver's Retry-After header; the next attempt must not come sooner. */
      retryAfterMs?: number;
      error: string;
      durationMs: number;
    };

export interface SendOptions {
  /** Whole attempt budget: connect, send, and the response headers. */
  timeoutMs: number;
  /** Lets a shutting-down worker abandon an attempt; it is then reported as retryable. */
  signal?: AbortSignal;
  /** Internal addresses the operator allows webhooks to reach (PORTPRESSURE_WEBHOOK_ALLOW); none by default. */
  allow?: AddressAllowlist;
  /** Routes the request through the egress proxy (egress-proxy.ts); direct when absent. */
  dispatcher?: Dispatcher;
}

/** One connection pool per allowlist, each resolving names through the address guard at connect time. */
const guardedAgents = new WeakMap<AddressAllowlist, Agent>();
function guardedAgent(allow: AddressAllowlist): Agent {
  let agent = guardedAgents.get(allow);
  if (!agent) {
    agent = new Agent({ connect: { lookup: guardedLookup(allow) } });
    guardedAgents.set(allow, agent);
  }
  return agent;
}

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  retryAfterMs?: number;
}

const REDACTED = '***';

/**
 * Keeps scheme, host and port, masks everything else. Webhook URLs carry their credential in the
 * path (Slack, Discord, Teams, Mattermost) or the query (Google Chat's key and token), and some
 * carry user:password, so none of those may survive.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return REDACTED;
  }
  const hidden = parsed.pathname !== '/' || parsed.search !== '' || parsed.hash !== '' || parsed.username !== '';
  return `${parsed.protocol}//${parsed.host}/${hidden ? REDACTED : ''}`;
}

/** True when a value is what redactUrl produces, so an edit form can send it back unchanged. */
export function isRedactedUrl(value: string): boolean {
  return value === REDACTED || value.endsWith(`/${REDACTED}`);
}

/** Removes any copy of the URL's secret parts that a receiver or the runtime echoed back. */
function scrub(text: string, url: string): string {
  let out = text;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  const secrets = [url];
  if (parsed !== undefined) {
    secrets.push(parsed.href);
    if (parsed.pathname.length > 1) secrets.push(parsed.pathname + parsed.search, parsed.pathname);
    if (parsed.search.length > 1) secrets.push(parsed.search.slice(1));
    if (parsed.password !== '') secrets.push(parsed.password);
  }
  for (const secret of secrets.sort((a, b) => b.length - a.length)) {
    if (secret.length > 0) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/**
 * Retry-After as milliseconds: either delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * Fractional seconds are accepted because Discord sends them. Unparseable values are ignored.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  // Every HTTP-date form names a weekday or month; without this, Date.parse('-5') is year -5.
  if (!/[A-Za-z]{3}/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * Delay before the next attempt: the shared full-jitter backoff (`attempt` is the number of
 * attempts already made, 1 after the first failure), and never sooner than the receiver's
 * Retry-After.
 */
export function nextAttemptDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const retry = (Number.isFinite(attempt) ? Math.max(1, Math.floor(attempt)) : 1) - 1;
  return Math.max(fullJitterBackoff(retry, { baseMs: policy.baseMs, capMs: policy.maxMs }, random), policy.retryAfterMs ?? 0);
}

/** Validated headers as the plain record undici's fetch takes (forEach: typed in every lib setting). */
function headerRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => {
    record[name] = value;
  });
  return record;
}

function isNameNotAddress(host: string): boolean {
  return !/^[\d.]+$/.test(host) && !host.includes(':');
}

function elapsed(startedAt: number): number {
  return Math.round(performance.now() - startedAt);
}

interface ErrorWithCause {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
}

function asErrorLike(value: unknown): ErrorWithCause | undefined {
  return typeof value === 'object' && value !== null ? (value as ErrorWithCause) : undefined;
}

const NETWORK_ERROR_NAMES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'connection closed while sending',
  UND_ERR_SOCKET: 'connection closed by the receiver',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no response headers in time',
};

/** Turns what fetch threw into an outcome; undici hides the interesting part in `cause`. */
function classifyThrown(err: unknown, url: string, timeoutMs: number, timeoutSignal: AbortSignal, durationMs: number): DeliveryOutcome {
  const target = redactUrl(url);
  const e = asErrorLike(err);
  const name = typeof e?.name === 'string' ? e.name : '';
  if (name === 'TimeoutError' || (name === 'AbortError' && timeoutSignal.aborted)) {
    return { ok: false, retryable: true, error: `timed out after ${timeoutMs} ms posting to ${target}`, durationMs };
  }
  if (name === 'AbortError') {
    return { ok: false, retryable: true, error: `aborted while posting to ${target}`, durationMs };
  }
  const cause = asErrorLike(e?.cause);
  if (e?.cause instanceof AddressRefusedError) {
    return { ok: false, retryable: false, error: `refused to post to ${target}: ${e.cause.message}`, durationMs };
  }
  const code = typeof cause?.code === 'string' ? cause.code : typeof e?.code === 'string' ? e.code : undefined;
  const described = code === undefined ? undefined : NETWORK_ERROR_NAMES[code];
  const detail = typeof cause?.message === 'string' ? cause.message : typeof e?.message === 'string' ? e.message : String(err);
  const text = described === undefined ? detail : `${described} (${code})`;
  // Fetch refuses a fixed list of ports (the spec's "bad ports"); no retry will change that.
  const blockedPort = detail === 'bad port';
  return {
    ok: false,
    retryable: !blockedPort,
    error: scrub(`network error posting to ${target}: ${text}`, url),
    durationMs,
  };
}

/**
 * Sends one request and classifies the answer. Never throws: every failure becomes an outcome the
 * outbox worker can store. Redirects are not followed, because a webhook that redirects is
 * misconfigured and following it would hand the payload to a host nobody configured.
 */
export async function sendHttp(request: OutgoingRequest, options: SendOptions): Promise<DeliveryOutcome> {
  const startedAt = performance.now();
  const target = redactUrl(request.url);
  let parsed: URL;
  try {
    parsed = new URL(request.url);
  } catch {
    return { ok: false, retryable: false, error: `invalid URL ${target}`, durationMs: elapsed(startedAt) };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return {
      ok: false,
      retryable: false,
      error: `unsupported URL scheme ${parsed.protocol} for ${target}`,
      durationMs: elapsed(startedAt),
    };
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return {
      ok: false,
      retryable: false,
      error: `${target} carries a user name or password, which webhooks do not send; put the credential in the path or use the provider's own`,
      durationMs: elapsed(startedAt),
    };
  }
  const allow = options.allow ?? EMPTY_ALLOWLIST;
  // A literal address is never looked up, so the connect-time guard would not see it: judged here.
  const literal = parsed.hostname.replace(/^\[|\]$/g, '');
  const literalReason = /^[\d.]+$|:/.test(literal) ? refusedAddressReason(literal, allow) : undefined;
  if (literalReason !== undefined) {
    return { ok: false, retryable: false, error: `refused to post to ${target}: ${literalReason}`, durationMs: elapsed(startedAt) };
  }
  // Through a proxy the connection goes to the proxy, which resolves the name itself: the
  // connect-time guard never sees the target, so the name is resolved and judged here as well.
  if (options.dispatcher !== undefined && literalReason === undefined && isNameNotAddress(literal)) {
    const reason = await resolvedAddressRefusal(literal, allow);
    if (reason !== undefined) {
      return { ok: false, retryable: false, error: `refused to post to ${target}: ${reason}`, durationMs: elapsed(startedAt) };
    }
  }
  let headers: Headers;
  try {
    headers = new Headers(request.headers);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, retryable: false, error: `invalid request headers: ${message}`, durationMs: elapsed(startedAt) };
  }

  const timeoutSignal = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal === undefined ? timeoutSignal : AbortSignal.any([timeoutSignal, options.signal]);
  let response: Awaited<ReturnType<typeof undiciFetch>>;
  try {
    response = await undiciFetch(parsed, {
      method: request.method,
      headers: headerRecord(headers),
      body: request.body,
      signal,
      redirect: 'manual',
      dispatcher: options.dispatcher ?? guardedAgent(allow),
    });
  } catch (err) {
    return classifyThrown(err, request.url, options.timeoutMs, timeoutSignal, elapsed(startedAt));
  }

  const status = response.status;
  if (status >= 200 && status < 300) {
    // The receiver accepted it; its body is of no use and waiting for it would hold the slot.
    response.body?.cancel().catch(() => undefined);
    return { ok: true, status, durationMs: elapsed(startedAt) };
  }

  // The receiver's body is never kept nor shown: an error page of some internal service is exactly
  // what a webhook URL aimed at it would try to read out through the delivery log.
  response.body?.cancel().catch(() => undefined);
  const suffix = '';
  const durationMs = elapsed(startedAt);
  if (status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    return {
      ok: false,
      retryable: true,
      status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      error: `HTTP ${status} from ${target}${suffix}`,
      durationMs,
    };
  }
  if (status >= 300 && status < 400) {
    return {
      ok: false,
      retryable: false,
      status,
      error: `HTTP ${status} redirect from ${target} not followed; configure the final URL`,
      durationMs,
    };
  }
  return { ok: false, retryable: false, status, error: `HTTP ${status} from ${target}${suffix}`, durationMs };
}
