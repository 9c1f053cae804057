import type { Logger } from '@nestjs/common';
import {
  AGENT_ERROR_CODE_NAMES,
  AGENT_ERROR_CODES,
  MAX_AGENT_FRAME_BYTES,
  type AgentMessage,
  type ServerMessage,
} from '@portpressure/protocol';
import type { RawData, WebSocket } from 'ws';
import type { AgentConnections, CloseConnection } from '../enrollment/agent-connections.ts';
import type { AuthenticatedHost } from '../enrollment/enrollment.service.ts';
import { parseAgentFrame } from './agent-frames.ts';
import { IngestError } from './ingest.errors.ts';
import type { AgentSession, IngestService } from './ingest.service.ts';
import { TokenBucket } from '@portpressure/domain';

/** Who the upgrade request authenticated as: an agent about to enroll, or an enrolled host. */
export type ConnectionAuth = { kind: 'enroll' } | { kind: 'host'; host: AuthenticatedHost };

/** A connection may send this many seconds of its byte budget at once (a spool replay after an outage). */
const BYTE_BURST_SECONDS = 8;

/** How long a new connection may take to send its hello (or enroll) frame. */
const HELLO_DEADLINE_MS = 10_000;

export interface AgentConnectionDeps {
  ingest: IngestService;
  connections: AgentConnections;
  /** Frames per second on average; bursts up to twice as many. */
  rateLimit: number;
  /** Bytes per second on average; bursts up to BYTE_BURST_SECONDS worth. */
  bytesPerSecond: number;
  logger: Logger;
}

/** Close reasons are limited to 123 bytes by RFC 6455. */
function closeReason(message: string): string {
  const bytes = Buffer.from(message, 'utf8');
  return bytes.length <= 123
    ? message
    : bytes
        .subarray(0, 120)
        .toString('utf8')
        .replace(/\uFFFD$/, '') + '...';
}

function frameSize(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

function frameText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/**
 * One agent's WebSocket connection, from the accepted upgrade to the close.
 *
 * Frames are handled strictly in arrival order through a promise chain, but a snapshot's step
 * only validates it and hands it to the writer: its ack goes out when its batch commits, so a
 * connection can have many snapshots in flight (spool replay) without waiting on each commit.
 * The rate limit is applied on arrival, before any parsing, so a flood costs almost nothing.
 */
export class AgentConnection {
  private session: AgentSession | undefined;
  private closed = false;
  /** Snapshots handed to the writer whose ack has not gone out yet. */
  private pendingStores = 0;
  /** Set once the connection was told OVERLOADED: it closes when the pending acks are out. */
  private draining: IngestError | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly bucket: TokenBucket;
  private readonly byteBucket: TokenBucket;
  private unregister: (() => void) | undefined;
  /** Whether the peer answered since the last heartbeat. */
  private alive = true;
  /** How revocation or a newer connection of the host ends this one: an error frame, then the close. */
  private readonly closeFromOutside: CloseConnection = (code, reason) => {
    const name = AGENT_ERROR_CODE_NAMES.find((n) => AGENT_ERROR_CODES[n] === code) ?? 'INTERNAL';
    this.refuse(new IngestError(name, reason, true));
  };

  constructor(
    private readonly socket: WebSocket,
    private readonly auth: ConnectionAuth,
    private readonly deps: AgentConnectionDeps,
  ) {
    this.bucket = new TokenBucket(deps.rateLimit, deps.rateLimit * 2);
    // Never below one largest frame, or a budget smaller than a frame would refuse it forever.
    this.byteBucket = new TokenBucket(deps.bytesPerSecond, Math.max(deps.bytesPerSecond * BYTE_BURST_SECONDS, MAX_AGENT_FRAME_BYTES));
  }

  start(onClose: () => void): void {
    // An upgraded socket that never introduces itself would otherwise be held open forever.
    const helloDeadline = setTimeout(() => {
      if (this.session) return;
      const expected = this.auth.kind === 'enroll' ? 'enroll' : 'hello';
      this.refuse(new IngestError('HELLO_REQUIRED', `no ${expected} within ${HELLO_DEADLINE_MS / 1000} s of connecting`, true));
    }, HELLO_DEADLINE_MS);
    helloDeadline.unref();
    this.socket.once('close', () => clearTimeout(helloDeadline));
    this.socket.on('message', (data, isBinary) => {
      this.alive = true;
      this.onFrame(data, isBinary);
    });
    this.socket.on('pong', () => (this.alive = true));
    this.socket.on('close', () => {
      this.closed = true;
      this.unregister?.();
      onClose();
    });
  }

  /**
   * Called periodically by the gateway: a peer that has not answered the previous ping (a host
   * that lost power, a cut network) is dropped, so its socket and its place as the host's one
   * connection do not linger until TCP gives up.
   */
  heartbeat(): void {
    if (!this.alive) {
      this.socket.terminate();
      return;
    }
    this.alive = false;
    if (this.socket.readyState === this.socket.OPEN) this.socket.ping();
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    // After OVERLOADED nothing more is read: the agent resends it from its spool later.
    if (this.closed || this.draining) return;
    if (!this.bucket.take()) {
      const rate = this.deps.rateLimit;
      return this.refuse(new IngestError('RATE_LIMITED', `more than ${rate} frames per second (bursts up to ${rate * 2})`, true));
    }
    const size = frameSize(data);
    if (!this.byteBucket.take(size)) {
      // Per-host byte budget: frame counts alone let a few agents with 1,000-tuple snapshots fill
      // the write queue and the heap. The agent's spool keeps what was not acked.
      return this.overloaded(
        new IngestError('OVERLOADED', `more than ${this.deps.bytesPerSecond} bytes per second; back off and resend later`, true),
      );
    }
    if (isBinary) return this.refuse(new IngestError('BINARY_FRAME', 'binary frames are not accepted; send JSON text frames', true));
    const text = frameText(data);
    this.chain = this.chain
      .then(() => (this.closed || this.draining ? undefined : this.handle(parseAgentFrame(text, this.session?.protocolVersion))))
      .catch((error: unknown) =>
        error instanceof IngestError && error.code === 'OVERLOADED' ? this.overloaded(error) : this.refuse(error),
      );
  }

  private async handle(message: AgentMessage): Promise<void> {
    switch (message.type) {
      case 'enroll': {
        if (this.auth.kind !== 'enroll') {
          throw new IngestError('FORBIDDEN', 'this host is enrolled already: send hello (enroll needs the enrollment token)', true);
        }
        this.send(await this.deps.ingest.enroll(message));
        return this.close(1000, 'enrolled');
      }
      case 'hello': {
        if (this.auth.kind !== 'host') {
          throw new IngestError(
            'FORBIDDEN',
            'this connection presented the enrollment token: send enroll, then reconnect with the credential',
            true,
          );
        }
        if (this.session) throw new IngestError('INVALID_FRAME', 'hello was already received on this connection');
        const { session, welcome } = await this.deps.ingest.hello(this.auth.host, message);
        if (this.closed) return;
        this.session = session;
        const hostId = this.auth.host.hostId;
        // One writer per host: an older connection of this host (a dead link not yet noticed, a
        // clone using the same credential) is closed, so sequences never interleave.
        this.deps.connections.closeHost(hostId, AGENT_ERROR_CODES.SUPERSEDED, 'replaced by a newer connection of this host');
        this.unregister = this.deps.connections.add(hostId, this.closeFromOutside);
        return this.send(welcome);
      }
      case 'snapshot': {
        const session = this.requireSession();
        const seq = message.seq;
        const admitted = this.deps.ingest.admit(session, message);
        this.pendingStores += 1;
        this.deps.ingest
          .store(session, admitted, admitted === message)
          .then(
            () => this.send({ type: 'ack', seq }),
            (error: unknown) => {
              if (error instanceof IngestError) return this.refuse(error);
              this.deps.logger.error(`storing snapshot ${seq} of host ${session.host.hostId} failed: ${String(error)}`);
              // Fatal: the agent reconnects and resends, which is right when the database is down.
              this.refuse(new IngestError('INTERNAL', 'could not store the snapshot; reconnect and resend it', true, seq));
            },
          )
          .finally(() => {
            this.pendingStores -= 1;
            if (this.draining && this.pendingStores === 0) this.close(AGENT_ERROR_CODES.OVERLOADED, this.draining.message);
          });
        return;
      }
      case 'gap': {
        const session = this.requireSession();
        return this.send(await this.deps.ingest.recordGap(session, message));
      }
    }
  }

  private requireSession(): AgentSession {
    if (this.session) return this.session;
    if (this.auth.kind === 'enroll') {
      throw new IngestError('FORBIDDEN', 'an enrollment connection only accepts enroll', true);
    }
    throw new IngestError('HELLO_REQUIRED', 'send a hello frame before snapshots', true);
  }

  /**
   * Over budget: the agent is told at once, nothing more is read, and the close (4503) waits for
   * the acks of what was already admitted. Closing at once dropped those acks, so the agent
   * resent the same burst after every back-off and never got past it.
   */
  private overloaded(error: IngestError): void {
    if (this.closed || this.draining) return;
    this.draining = error;
    if (this.pendingStores === 0) return this.refuse(error);
    this.send({ type: 'error', code: error.code, message: error.message });
  }

  private refuse(error: unknown): void {
    if (this.closed) return;
    if (!(error instanceof IngestError)) {
      this.deps.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      error = new IngestError('INTERNAL', 'internal error while handling the frame', true);
    }
    const e = error as IngestError;
    this.send({ type: 'error', code: e.code, message: e.message, ...(e.seq === undefined ? {} : { seq: e.seq }) });
    if (e.fatal) this.close(AGENT_ERROR_CODES[e.code], e.message);
  }

  private send(message: ServerMessage): void {
    if (!this.closed && this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.unregister?.();
    this.socket.close(code, closeReason(reason));
    // A peer that never answers the close handshake must not hold the socket open.
    setTimeout(() => this.socket.terminate(), 5000).unref();
  }
}
