import type { Hello, ServerMessage } from '@portpressure/protocol';
import {
  AGENT_WS_PATH,
  ENROLLMENT_TOKEN_HEADER,
  fleetSchema,
  hostSummarySchema,
  SESSION_COOKIE,
  serverMessageSchema,
  type Fleet,
  type HostSummary,
} from '@portpressure/protocol';
import WebSocket from 'ws';
import { startApi, type StartedApi } from '../../src/app.ts';
import { loadApiConfig } from '../../src/config/config.ts';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';
import { suiteValue } from '../../../../test/support/suite-value.ts';

/** The enrollment token every harness starts with, unless the test passes its own. */
export const TEST_ENROLLMENT_TOKEN = 'test-enrollment-token-0123456789';

/** The admin password every harness starts with, unless the test passes its own. */
export { TEST_ADMIN_PASSWORD } from './test-admin.ts';
import { TEST_ADMIN_PASSWORD } from './test-admin.ts';

export interface ApiHarness {
  api: StartedApi;
  db: TestDatabase;
  /** Signs in (POST /api/auth/login) and returns the `Cookie` header value of the new session. */
  login(password?: string): Promise<string>;
  /** fetch() of a path of the API (`/api/fleet`) with a session cookie, signing in once on first use. */
  authedFetch(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

/** What every test API instance starts with: the database, a free loopback port and the test credentials. */
const sharedEnv = (databaseUrl: string): Record<string, string> => ({
  DATABASE_URL: databaseUrl,
  PORT: '0',
  HOST: '127.0.0.1',
  PORTPRESSURE_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
  PORTPRESSURE_ENROLLMENT_TOKEN: TEST_ENROLLMENT_TOKEN,
});

/** Signs in to the API at `baseUrl` (POST /api/auth/login) and returns the `Cookie` header value of the new session. */
export async function signIn(baseUrl: string, password = TEST_ADMIN_PASSWORD): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ password }),
  });
  if (res.status !== 200) throw new Error(`sign-in answered ${res.status}: ${await res.text()}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!cookie) throw new Error('sign-in set no session cookie');
  return cookie.split(';')[0]!;
}

/**
 * A harness started before the tests of the enclosing `describe` and stopped after them: call it
 * in the describe's body and use what it returns inside the tests.
 */
export function useApiHarness(env: Record<string, string> = {}): ApiHarness {
  return suiteValue(
    () => startApiHarness(env),
    (h) => h.stop(),
  );
}

/**
 * Another API instance on the harness's database, as behind a load balancer (or, with `PORT` set
 * to the harness's, as a restarted process), with the same admin password and enrollment token.
 */
export function startAnotherApi(h: ApiHarness, env: Record<string, string> = {}): Promise<StartedApi> {
  return startApi(loadApiConfig({ ...sharedEnv(h.db.url), ...env }), { logger: false });
}

/**
 * The real API on a free port, against a fresh database on the run's real PostgreSQL. The admin
 * password is TEST_ADMIN_PASSWORD unless `env` sets PORTPRESSURE_ADMIN_PASSWORD.
 */
export async function startApiHarness(env: Record<string, string> = {}): Promise<ApiHarness> {
  const db = await createTestDatabase();
  const config = loadApiConfig({
    ...sharedEnv(db.url),
    // Test webhook receivers listen on loopback; a test of the address guard passes '' instead.
    PORTPRESSURE_WEBHOOK_ALLOW: '127.0.0.0/8',
    // Tests enroll many hosts and try many wrong credentials from one address; the throttles'
    // own tests set real values.
    PORTPRESSURE_ENROLL_RATE_LIMIT: '100000',
    PORTPRESSURE_AGENT_UPGRADE_FAILURES: '100000',
    ...env,
  });
  const api = await startApi(config, { logger: false });
  const login = (password = config.adminPassword ?? TEST_ADMIN_PASSWORD): Promise<string> => signIn(api.url, password);
  let session: Promise<string> | undefined;
  return {
    api,
    db,
    login,
    async authedFetch(path, init = {}) {
      session ??= login();
      const headers = new Headers(init.headers);
      headers.set('cookie', await session);
      return fetch(`${api.url}${path}`, { ...init, headers });
    },
    async stop() {
      await api.close();
      await db.drop();
    },
  };
}

async function readOk(res: Response, path: string): Promise<unknown> {
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/** GET /api/fleet, the ranking, signed in, checked against its schema. */
export async function rankedFleet(h: ApiHarness): Promise<Fleet> {
  return fleetSchema.parse(await readOk(await h.authedFetch('/api/fleet'), '/api/fleet'));
}

/** GET /api/hosts/:id, one host's full summary, signed in. */
export async function hostSummaryOf(h: ApiHarness, hostId: string): Promise<HostSummary> {
  const path = `/api/hosts/${hostId}`;
  return hostSummarySchema.parse(await readOk(await h.authedFetch(path), path));
}

/** How a test agent authenticates its upgrade request. */
export interface AgentAuth {
  credential?: string;
  enrollmentToken?: string;
  headers?: Record<string, string>;
}

/** The server answered the upgrade request with an HTTP status: no WebSocket was opened. */
export class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`upgrade refused with HTTP ${status}: ${body}`);
  }
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

  /**
   * Opens an agent connection authenticated with a host credential (`Authorization: Bearer`) or,
   * to enroll, the enrollment token. Rejects with an UpgradeRefused when the server answers the
   * upgrade with an HTTP status instead.
   */
  static async connect(baseUrl: string, auth: AgentAuth = {}): Promise<AgentClient> {
    const outcome = await AgentClient.attempt(baseUrl, auth);
    if (outcome instanceof UpgradeRefused) throw outcome;
    return outcome;
  }

  /** Like connect(), but resolves with the UpgradeRefused when the server refuses the upgrade. */
  static attempt(baseUrl: string, auth: AgentAuth = {}): Promise<AgentClient | UpgradeRefused> {
    const headers: Record<string, string> = { ...auth.headers };
    if (auth.credential !== undefined) headers.authorization = `Bearer ${auth.credential}`;
    if (auth.enrollmentToken !== undefined) headers[ENROLLMENT_TOKEN_HEADER] = auth.enrollmentToken;
    const socket = new WebSocket(baseUrl.replace(/^http/, 'ws') + AGENT_WS_PATH, { headers });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new AgentClient(socket)));
      socket.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve(new UpgradeRefused(res.statusCode ?? 0, body)));
      });
      socket.once('error', reject);
    });
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
      if (this.closeCode !== undefined)
        throw new Error(`socket closed (${this.closeCode} ${this.closeReason}) before the expected message`);
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

export const isAck =
  (seq: number) =>
  (m: ServerMessage): m is Extract<ServerMessage, { type: 'ack' }> =>
    m.type === 'ack' && m.seq === seq;
export const isWelcome = (m: ServerMessage): m is Extract<ServerMessage, { type: 'welcome' }> => m.type === 'welcome';
export const isError = (m: ServerMessage): m is Extract<ServerMessage, { type: 'error' }> => m.type === 'error';
export const isEnrolled = (m: ServerMessage): m is Extract<ServerMessage, { type: 'enrolled' }> => m.type === 'enrolled';

/** An enrolled test host: its id and credential. */
export interface EnrolledHost {
  hostId: string;
  credential: string;
}

/** Enrolls a host through the real enrollment exchange (token upgrade, enroll frame, enrolled reply). */
export async function enrollHost(baseUrl: string, hello: Hello, enrollmentToken = TEST_ENROLLMENT_TOKEN): Promise<EnrolledHost> {
  const client = await AgentClient.connect(baseUrl, { enrollmentToken });
  client.send({ ...hello, type: 'enroll' });
  const enrolled = await client.waitFor(isEnrolled);
  await client.waitForClose();
  return { hostId: enrolled.hostId, credential: enrolled.credential };
}

/** Enrolls the host of `hello`, connects with its credential and waits for the welcome. */
export async function connectEnrolled(baseUrl: string, hello: Hello): Promise<{ agent: AgentClient; host: EnrolledHost }> {
  const host = await enrollHost(baseUrl, hello);
  const agent = await AgentClient.connect(baseUrl, { credential: host.credential });
  agent.send(hello);
  await agent.waitFor(isWelcome);
  return { agent, host };
}
