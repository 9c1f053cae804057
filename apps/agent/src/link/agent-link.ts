import {
  AGENT_WS_PATH,
  PROTOCOL_VERSION,
  serverMessageSchema,
  type HostIdentity,
  type PortReport,
  type ServerMessage,
  type Snapshot,
} from '@portpressure/protocol';
import WebSocket from 'ws';
import { backoffDelay } from './backoff.ts';

export type LinkState = 'idle' | 'connecting' | 'streaming' | 'backing-off' | 'stopped';

export interface AgentLinkOptions {
  serverUrl: string;
  identity: HostIdentity;
  agentVersion: string;
  /** Most unacknowledged snapshots kept in memory; the oldest are dropped beyond it. */
  maxPending: number;
  /** The last sequence number used before this process started (from the agent's state file). */
  lastSeq: number;
  /** Called whenever a new sequence number is handed out, so it can be persisted. */
  onSeq?: (seq: number) => void;
  log?: (message: string) => void;
  /** A link that hears nothing (no message, no pong) for this long is considered dead. */
  readDeadlineMs?: number;
}

/**
 * The agent's connection to the API as a small state machine:
 * idle → connecting → streaming ⇄ backing-off → stopped.
 * Snapshots stay pending until the API acks them (after its commit) and are re-sent in order
 * after every reconnect; the API stores each (host, seq) once, so re-sending is safe.
 */
export class AgentLink {
  private state: LinkState = 'idle';
  private socket: WebSocket | undefined;
  private readonly pending = new Map<number, Snapshot>();
  private seq: number;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private lastHeard = 0;
  private readonly log: (message: string) => void;
  private readonly readDeadlineMs: number;
  /** Snapshots dropped because the pending queue was full. */
  dropped = 0;
  acked = 0;

  constructor(private readonly options: AgentLinkOptions) {
    this.seq = options.lastSeq;
    this.log = options.log ?? (() => undefined);
    this.readDeadlineMs = options.readDeadlineMs ?? 45_000;
  }

  get currentState(): LinkState {
    return this.state;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.connect();
  }

  /** Queues a report as the next snapshot and sends it at once when the link is up. */
  submit(report: PortReport, takenAt = new Date()): Snapshot {
    this.seq += 1;
    this.options.onSeq?.(this.seq);
    const snapshot: Snapshot = { type: 'snapshot', seq: this.seq, takenAt: takenAt.toISOString(), report };
    this.pending.set(snapshot.seq, snapshot);
    while (this.pending.size > this.options.maxPending) {
      const oldest = this.pending.keys().next().value;
      if (oldest === undefined) break;
      this.pending.delete(oldest);
      this.dropped += 1;
    }
    if (this.state === 'streaming') this.send(snapshot);
    return snapshot;
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pingTimer);
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
        socket.close(1000, 'agent stopping');
      });
    }
  }

  private connect(): void {
    this.state = 'connecting';
    const url = this.options.serverUrl.replace(/^http/, 'ws') + AGENT_WS_PATH;
    const socket = new WebSocket(url, { handshakeTimeout: 10_000 });
    this.socket = socket;
    socket.on('open', () => {
      this.lastHeard = Date.now();
      socket.send(
        JSON.stringify({
          type: 'hello',
          protocolVersion: PROTOCOL_VERSION,
          agentVersion: this.options.agentVersion,
          host: this.options.identity,
        }),
      );
      this.pingTimer = setInterval(() => this.checkDeadline(socket), Math.min(15_000, this.readDeadlineMs / 3));
    });
    socket.on('pong', () => (this.lastHeard = Date.now()));
    socket.on('message', (data) => {
      this.lastHeard = Date.now();
      let message: ServerMessage;
      try {
        message = serverMessageSchema.parse(JSON.parse(data.toString()));
      } catch {
        this.log('ignoring a frame from the server that does not match the protocol');
        return;
      }
      this.onMessage(message);
    });
    socket.on('error', (error) => this.log(`link error: ${error.message}`));
    socket.on('close', (code, reason) => {
      clearInterval(this.pingTimer);
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (this.state === 'stopped') return;
      const delay = backoffDelay(this.attempt++);
      const why = reason.length ? `${code} ${reason.toString()}` : String(code);
      this.log(`disconnected (${why}); ${this.pending.size} snapshot(s) pending; retrying in ${(delay / 1000).toFixed(1)} s`);
      this.state = 'backing-off';
      this.reconnectTimer = setTimeout(() => this.connect(), delay);
    });
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
    switch (message.type) {
      case 'welcome': {
        this.state = 'streaming';
        this.attempt = 0;
        if (message.lastSeq > this.seq) {
          // The server has newer snapshots than our state file remembers (state lost): continue after them.
          this.seq = message.lastSeq;
          this.options.onSeq?.(this.seq);
        }
        this.log(`connected as host ${message.hostId}; sending ${this.pending.size} pending snapshot(s)`);
        for (const snapshot of this.pending.values()) this.send(snapshot);
        return;
      }
      case 'ack':
        if (this.pending.delete(message.seq)) this.acked += 1;
        return;
      case 'error':
        this.log(`server refused ${message.seq === undefined ? 'a frame' : `snapshot ${message.seq}`}: ${message.code} ${message.message}`);
        // A snapshot the server found invalid will never become valid: drop it rather than resend forever.
        if (message.seq !== undefined) this.pending.delete(message.seq);
        return;
    }
  }

  private send(snapshot: Snapshot): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(snapshot));
  }
}
