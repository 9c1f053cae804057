import type { NamespacesBody } from '../namespaces/namespaces-snapshot.ts';
import {
  AGENT_ERROR_CODES,
  AGENT_WS_PATH,
  BACK_OFF_MIN_MS,
  ENROLLMENT_TOKEN_HEADER,
  MAX_SEQ_JUMP,
  PROTOCOL_VERSION,
  PROTOCOL_VERSION_HEADER,
} from '@portpressure/protocol/agent-constants';
import { checkServerMessage } from '@portpressure/protocol/agent-checks';
// Types only: the runtime values above come from modules without zod, so that `run` does not load
// it at all (zod's schemas cost memory to construct; see docs/agent-memory.md).
import type { AgentMessage, HostIdentity, PortReport, ServerMessage, Snapshot, SnapshotV2 } from '@portpressure/protocol';
import { fullJitterBackoff, TokenBucket } from '@portpressure/domain';
import { isoTime } from '@portpressure/logging/iso-time';
import type { StoredCredential } from './credential-store.ts';
import type { Spool } from './spool.ts';
import { WsClient as WebSocket } from './ws-client.ts';

export type LinkState = 'idle' | 'connecting' | 'enrolling' | 'authenticating' | 'streaming' | 'backing-off' | 'stopped';

/** Where the link keeps the host's credential (a 0600 file in practice). */
export interface CredentialKeeper {
  load(): StoredCredential | null;
  save(credential: StoredCredential): void;
}

export interface AgentLinkOptions {
  serverUrl: string;
  identity: HostIdentity;
  agentVersion: string;
  /** Unacknowledged snapshots, on disk. */
  spool: Spool;
  credentials: CredentialKeeper;
  /** Used only while there is no stored credential, to enroll this host. */
  enrollmentToken?: string;
  /** The last sequence number used before this process started (from the agent's state file). */
  lastSeq: number;
  /** Called whenever a new sequence number is handed out, so it can be persisted. */
  onSeq?: (seq: number) => void;
  log?: (message: string) => void;
  /** A link that hears nothing (no message, no pong) for this long is considered dead. */
  readDeadlineMs?: number;
  /** Most snapshots sent and not yet acknowledged. */
  window?: number;
  /** Reconnect backoff bounds (capped exponential with full jitter). */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Shortest wait after the API said OVERLOADED (BACK_OFF_MIN_MS unless a test shortens it). */
  overloadBackoffMs?: number;
}

/** Fraction of the server's announced frame rate the agent allows itself, leaving room for timing noise. */
const RATE_HEADROOM = 0.8;

/**
 * The agent's connection to the API as a small state machine:
 *
 *   idle → connecting ─┬→ enrolling (no credential yet: enroll, store it, reconnect at once)
 *                      └→ authenticating (hello) → streaming
 *   any live state → backing-off (capped exponential backoff with jitter) → connecting
 *   any state → stopped
 *
 * Credentials and the protocol version travel in the upgrade request. Every snapshot goes to the
 * on-disk spool first; while streaming, the spool is sent oldest first (dropped-snapshot gaps
 * before everything), at most `window` unacknowledged at a time and paced under the rate the
 * server announced, so after an outage the backlog drains in order before live data. A snapshot
 * leaves the spool only when the API acks it after its commit; the API stores each (host, seq)
 * once, so resending after a reconnect is safe. A read deadline refreshed by every message and
 * pong detects dead links.
 */
export class AgentLink {
  private state: LinkState = 'idle';
  private socket: WebSocket | undefined;
  private seq: number;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private pumpTimer: NodeJS.Timeout | undefined;
  private lastHeard = 0;
  /** Seqs sent on this connection and not acknowledged yet. */
  private readonly inFlight = new Set<number>();
  /** Highest seq sent on this connection: the next one sent is the first spooled seq above it. */
  private sentUpTo = 0;
  /** Gaps (by fromSeq → toSeq) reported on this connection and not acknowledged yet. */
  private readonly gapsInFlight = new Map<number, number>();
  /** Pacing: a bucket as deep as one second of the server's announced rate, made on each welcome. */
  private pacing = new TokenBucket(10, 10, Date.now);
  private readonly log: (message: string) => void;
  private readonly readDeadlineMs: number;
  private readonly window: number;
  /** Snapshots acknowledged by the API since start. */
  acked = 0;
  /** Snapshots the API refused for good (invalid); they are dropped from the spool. */
  refused = 0;

  constructor(private readonly options: AgentLinkOptions) {
    this.seq = Math.max(options.lastSeq, options.spool.lastSeq);
    this.log = options.log ?? (() => undefined);
    this.readDeadlineMs = options.readDeadlineMs ?? 45_000;
    this.window = options.window ?? 32;
  }

  get currentState(): LinkState {
    return this.state;
  }

  /** When the server was last heard from (any frame or pong), ms since the epoch; 0 before the first. */
  get lastHeardAt(): number {
    return this.lastHeard;
  }

  get pendingCount(): number {
    return this.options.spool.size;
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.connect();
  }

  /**
   * Spools a measurement as the next snapshot; it is sent as soon as the link and the window allow.
   * A bare report is the agent's own namespace alone (a version 1 snapshot); a body with
   * `namespaces` is a version 2 snapshot of every namespace measured.
   */
  submit(measured: PortReport | NamespacesBody, takenAtMs = Date.now()): Snapshot | SnapshotV2 {
    this.seq += 1;
    this.options.onSeq?.(this.seq);
    const envelope = { type: 'snapshot', seq: this.seq, takenAt: isoTime(takenAtMs) } as const;
    const snapshot: Snapshot | SnapshotV2 = 'namespaces' in measured ? { ...envelope, ...measured } : { ...envelope, report: measured };
    const dropped = this.options.spool.append(snapshot);
    if (dropped.length > 0) {
      this.log(
        `spool full (${this.options.spool.capacity}): dropped snapshot(s) ${dropped[0]}…${dropped[dropped.length - 1]}; the gap is reported to the API`,
      );
    }
    this.pump();
    return snapshot;
  }

  /** Stops the link: the spool is made durable and the socket closed; unacked snapshots stay spooled. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.pumpTimer);
    clearInterval(this.pingTimer);
    this.options.spool.flush();
    const socket = this.socket;
    if (socket && socket.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          socket.terminate();
          resolve();
        }, 2000);
        socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
        else socket.close(1000, 'agent stopping');
      });
    }
  }

  private connect(): void {
    let stored: StoredCredential | null;
    try {
      stored = this.options.credentials.load();
    } catch (error) {
      // A credential file damaged while running: say so and keep the spool growing meanwhile.
      this.log(error instanceof Error ? error.message : String(error));
      return this.backOff('credential file unusable');
    }
    const headers: Record<string, string> = { [PROTOCOL_VERSION_HEADER]: String(PROTOCOL_VERSION) };
    if (stored) {
      headers.authorization = `Bearer ${stored.credential}`;
    } else if (this.options.enrollmentToken) {
      headers[ENROLLMENT_TOKEN_HEADER] = this.options.enrollmentToken;
    } else {
      this.log('not enrolled and no enrollment token: pass --enrollment-token (or PORTPRESSURE_ENROLLMENT_TOKEN) once');
      return this.backOff('not enrolled');
    }
    const enrolling = !stored;
    this.state = 'connecting';
    const url = this.options.serverUrl.replace(/^http/, 'ws') + AGENT_WS_PATH;
    const socket = new WebSocket(url, { handshakeTimeout: 10_000, headers });
    this.socket = socket;
    let refusal = '';
    socket.on('unexpected-response', (status: number, body: string) => {
      // The server refused the upgrade (bad credential, unknown version): say why, then back off.
      refusal = `HTTP ${status}: ${body.slice(0, 300)}`;
      if (status === 401 && !enrolling)
        refusal += ' (revoked or replaced? enroll again: delete the credential file and pass --enrollment-token)';
      socket.terminate();
    });
    socket.on('open', () => {
      this.lastHeard = Date.now();
      this.state = enrolling ? 'enrolling' : 'authenticating';
      const introduction = { protocolVersion: PROTOCOL_VERSION, agentVersion: this.options.agentVersion, host: this.options.identity };
      this.sendFrame(enrolling ? { type: 'enroll', ...introduction } : { type: 'hello', ...introduction });
      this.pingTimer = setInterval(() => this.checkDeadline(socket), Math.min(15_000, this.readDeadlineMs / 3));
    });
    socket.on('pong', () => (this.lastHeard = Date.now()));
    socket.on('message', (data: Buffer) => {
      this.lastHeard = Date.now();
      let parsed: unknown;
      try {
        parsed = JSON.parse(data.toString());
      } catch {
        parsed = undefined; // not JSON: refused below like any frame that does not match
      }
      const checked = checkServerMessage(parsed);
      if (!checked.success) {
        this.log('ignoring a frame from the server that does not match the protocol');
        return;
      }
      const message: ServerMessage = checked.data;
      this.onMessage(message);
    });
    socket.on('error', (error: Error) => {
      if (!refusal) this.log(`link error: ${error.message}`);
    });
    socket.on('close', (code: number, reason: Buffer) => {
      clearInterval(this.pingTimer);
      clearTimeout(this.pumpTimer);
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.inFlight.clear();
      this.gapsInFlight.clear();
      this.sentUpTo = 0;
      if (this.state === 'stopped') return;
      if (enrolling && code === 1000 && this.options.credentials.load()) {
        this.attempt = 0;
        return this.connect(); // enrolled: connect again, now with the credential
      }
      // Told the API is over its ingest budget: wait at least BACK_OFF_MIN_MS, whatever the attempt count.
      const minDelayMs = code === AGENT_ERROR_CODES.OVERLOADED ? (this.options.overloadBackoffMs ?? BACK_OFF_MIN_MS) : 0;
      this.backOff(refusal || (reason.length ? `${code} ${reason.toString()}` : String(code)), minDelayMs);
    });
  }

  private backOff(why: string, minDelayMs = 0): void {
    const delay = Math.max(
      minDelayMs,
      fullJitterBackoff(this.attempt++, { baseMs: this.options.backoffBaseMs ?? 500, capMs: this.options.backoffCapMs ?? 30_000 }),
    );
    this.log(`disconnected (${why}); ${this.options.spool.size} snapshot(s) spooled; retrying in ${(delay / 1000).toFixed(1)} s`);
    this.state = 'backing-off';
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private checkDeadline(socket: WebSocket): void {
    if (Date.now() - this.lastHeard > this.readDeadlineMs) {
      this.log(`no word from the server for ${this.readDeadlineMs / 1000} s; reconnecting`);
      socket.terminate();
      return;
    }
    socket.ping();
  }

  private onMessage(message: ServerMessage): void {
    const spool = this.options.spool;
    switch (message.type) {
      case 'enrolled': {
        this.options.credentials.save({
          hostId: message.hostId,
          credential: message.credential,
          serverUrl: this.options.serverUrl,
          enrolledAt: isoTime(),
        });
        this.log(`enrolled as host ${message.hostId}; credential stored`);
        return;
      }
      case 'welcome': {
        this.state = 'streaming';
        this.attempt = 0;
        if (message.lastSeq > this.seq) {
          // The server has newer snapshots than our state file remembers (state lost): continue after them.
          this.seq = message.lastSeq;
          this.options.onSeq?.(this.seq);
        } else if (this.seq >= message.lastSeq + MAX_SEQ_JUMP) {
          // An admin reset the host's sequence baseline (our numbering had been poisoned, e.g. a
          // seq near 2^53 taken from an earlier welcome): numbers this far ahead would all be
          // refused, so continue after the server's.
          this.log(`the server's last seq is ${message.lastSeq} (reset); numbering continues after it instead of ${this.seq}`);
          this.seq = message.lastSeq;
          this.options.onSeq?.(this.seq);
          // Spooled snapshots numbered that far ahead can never be stored (SEQ_OUT_OF_RANGE, or past
          // 2^53−1): drop them now, or they would be sent before the new numbering on every connection.
          const unreachable = spool.pending.filter((seq) => seq >= message.lastSeq + MAX_SEQ_JUMP);
          for (const seq of unreachable) if (spool.ack(seq)) this.refused += 1;
          if (unreachable.length > 0) this.log(`dropped ${unreachable.length} spooled snapshot(s) numbered beyond the server's reach`);
        }
        const ratePerSecond = Math.max(1, message.maxFramesPerSecond * RATE_HEADROOM);
        this.pacing = new TokenBucket(ratePerSecond, ratePerSecond, Date.now);
        this.log(`connected as host ${message.hostId}; sending ${spool.size} spooled snapshot(s)`);
        this.pump();
        return;
      }
      case 'ack':
        this.inFlight.delete(message.seq);
        if (spool.ack(message.seq)) this.acked += 1;
        this.pump();
        return;
      case 'gap-ack':
        this.gapsInFlight.delete(message.fromSeq);
        spool.ackGap(message);
        this.pump();
        return;
      case 'error':
        this.log(`server refused ${message.seq === undefined ? 'a frame' : `snapshot ${message.seq}`}: ${message.code} ${message.message}`);
        // A snapshot the server found invalid will never become valid: drop it rather than resend
        // forever. Anything else (INTERNAL, …) ends the connection and the snapshot is resent.
        if (message.seq !== undefined && (message.code === 'INVALID_FRAME' || message.code === 'SEQ_OUT_OF_RANGE')) {
          this.inFlight.delete(message.seq);
          if (spool.ack(message.seq)) this.refused += 1;
          this.pump();
        }
        if (message.code === 'IDENTITY_IN_USE')
          this.log(
            'this identity is enrolled already with an active credential; an admin must revoke it before this machine can enroll as that host',
          );
        if (message.code === 'SUPERSEDED')
          this.log('another connection of this host took over (is a second agent running with this state folder?)');
        return;
    }
  }

  /** Sends what the window and the pacing allow: unreported gaps first, then spooled snapshots oldest first. */
  private pump(): void {
    if (this.state !== 'streaming' || this.pumpTimer) return;
    const spool = this.options.spool;
    for (const gap of spool.gaps) {
      if (this.gapsInFlight.get(gap.fromSeq) === gap.toSeq) continue;
      if (!this.pacing.take()) return this.schedulePump();
      this.gapsInFlight.set(gap.fromSeq, gap.toSeq);
      this.sendFrame({ type: 'gap', fromSeq: gap.fromSeq, toSeq: gap.toSeq });
    }
    const pending = spool.pending;
    let i = firstIndexAbove(pending, this.sentUpTo);
    while (i < pending.length) {
      if (this.inFlight.size >= this.window) return;
      if (!this.pacing.holds()) return this.schedulePump();
      const seq = pending[i]!;
      this.sentUpTo = seq;
      const snapshot = spool.read(seq);
      if (!snapshot) continue; // unreadable: removed from the spool (so i is already the next one) and reported as a gap
      i += 1;
      this.pacing.take();
      this.inFlight.add(seq);
      this.sendFrame(snapshot);
    }
  }

  private schedulePump(): void {
    const wait = this.pacing.msUntil();
    this.pumpTimer = setTimeout(
      () => {
        this.pumpTimer = undefined;
        this.pump();
      },
      Math.max(1, wait),
    );
  }

  private sendFrame(frame: AgentMessage): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
  }
}

/** Index of the first element of an ascending array greater than `value` (binary search). */
function firstIndexAbove(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
