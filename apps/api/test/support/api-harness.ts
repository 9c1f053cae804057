import type { ServerMessage } from '@portpressure/protocol';
import { AGENT_WS_PATH, serverMessageSchema } from '@portpressure/protocol';
import WebSocket from 'ws';
import { startApi, type StartedApi } from '../../src/app.ts';
import { loadApiConfig } from '../../src/config/config.ts';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';

export interface ApiHarness {
  api: StartedApi;
  db: TestDatabase;
  stop(): Promise<void>;
}

/** The real API on a free port, against a fresh database on the run's real PostgreSQL. */
export async function startApiHarness(env: Record<string, string> = {}): Promise<ApiHarness> {
  const db = await createTestDatabase();
  const config = loadApiConfig({ DATABASE_URL: db.url, PORT: '0', HOST: '127.0.0.1', ...env });
  const api = await startApi(config, { logger: false });
  return {
    api,
    db,
    async stop() {
      await api.close();
      await db.drop();
    },
  };
}

/** A real `ws` client speaking the agent protocol, collecting what the server says. */
export class AgentClient {
  readonly messages: ServerMessage[] = [];
  closeCode: number | undefined;
  closeReason = '';
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.messages.push(serverMessageSchema.parse(JSON.parse(data.toString())));
      this.wake();
    });
    socket.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
      this.wake();
    });
  }

  static async connect(baseUrl: string): Promise<AgentClient> {
    const socket = new WebSocket(baseUrl.replace(/^http/, 'ws') + AGENT_WS_PATH);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new AgentClient(socket);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Waits until a message satisfies `match` (or the socket closes), up to `timeoutMs`. */
  async waitFor<T extends ServerMessage>(match: (m: ServerMessage) => m is T, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const found = this.messages.find(match);
      if (found) return found;
      if (this.closeCode !== undefined) throw new Error(`socket closed (${this.closeCode} ${this.closeReason}) before the expected message`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async waitForClose(timeoutMs = 10_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.closeCode === undefined) {
      if (Date.now() > deadline) throw new Error('socket did not close');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.closeCode;
  }

  close(): void {
    this.socket.close();
  }
}

export const isAck = (seq: number) => (m: ServerMessage): m is Extract<ServerMessage, { type: 'ack' }> =>
  m.type === 'ack' && m.seq === seq;
export const isWelcome = (m: ServerMessage): m is Extract<ServerMessage, { type: 'welcome' }> => m.type === 'welcome';
export const isError = (m: ServerMessage): m is Extract<ServerMessage, { type: 'error' }> => m.type === 'error';
