import { apiErrorSchema, LIVE_WS_PATH, SESSION_COOKIE, sessionInfoSchema } from '@portpressure/protocol';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startApi } from '../src/app.ts';
import { loadApiConfig } from '../src/config/config.ts';
import { useApiHarness, TEST_ADMIN_PASSWORD } from './support/api-harness.ts';

function login(baseUrl: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** Opens the live channel; resolves with the HTTP status of a refused upgrade, or 101 when it opened. */
function openLive(baseUrl: string, cookie?: string): Promise<{ status: number; socket?: WebSocket }> {
  const socket = new WebSocket(baseUrl.replace(/^http/, 'ws') + LIVE_WS_PATH, { headers: cookie ? { cookie } : {} });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ status: 101, socket }));
    socket.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      socket.terminate();
    });
    socket.once('error', reject);
  });
}

describe('sign-in', () => {
  const h = useApiHarness({ PORTPRESSURE_TRUST_PROXY: 'loopback' });

  it('refuses the REST API without a session, with a clear error', async () => {
    for (const path of ['/api/fleet', '/api/hosts/00000000-0000-4000-8000-000000000000', '/api/auth/me']) {
      const res = await fetch(`${h.api.url}${path}`);
      expect(res.status, path).toBe(401);
      expect(apiErrorSchema.parse(await res.json())).toMatchObject({ code: 'UNAUTHENTICATED' });
    }
    const forged = await fetch(`${h.api.url}/api/fleet`, { headers: { cookie: `${SESSION_COOKIE}=${'A'.repeat(43)}` } });
    expect(forged.status).toBe(401);
  });

  it('keeps the health check and the API docs public', async () => {
    expect((await fetch(`${h.api.url}/api/health`)).status).toBe(200);
    expect((await fetch(`${h.api.url}/api/docs`)).status).toBe(200);
    expect((await fetch(`${h.api.url}/api/docs-json`)).status).toBe(200);
  });

  it('refuses a wrong password and a malformed body', async () => {
    const wrong = await login(h.api.url, { password: 'not the password' }, { 'x-forwarded-for': '192.0.2.10' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(wrong.headers.getSetCookie()).toEqual([]);
    const empty = await login(h.api.url, {}, { 'x-forwarded-for': '192.0.2.10' });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/password/) });
  });

  it('signs in with an httpOnly SameSite=Strict cookie that opens the API until sign-out', async () => {
    const res = await login(h.api.url, { password: TEST_ADMIN_PASSWORD });
    expect(res.status).toBe(200);
    expect(sessionInfoSchema.parse(await res.json()).username).toBe('admin');
    const setCookie = res.headers.getSetCookie()[0]!;
    expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[\\w-]{43}; Path=/; Max-Age=604800; HttpOnly; SameSite=Strict$`));
    const cookie = setCookie.split(';')[0]!;

    const me = await fetch(`${h.api.url}/api/auth/me`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(sessionInfoSchema.parse(await me.json())).toMatchObject({ username: 'admin' });
    expect((await fetch(`${h.api.url}/api/fleet`, { headers: { cookie } })).status).toBe(200);

    const out = await fetch(`${h.api.url}/api/auth/logout`, { method: 'POST', headers: { cookie } });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie()[0]).toMatch(new RegExp(`^${SESSION_COOKIE}=; Path=/; Max-Age=0`));
    expect((await fetch(`${h.api.url}/api/fleet`, { headers: { cookie } })).status).toBe(401);
  });

  it('stores the session only as a hash and the password only as an scrypt hash', async () => {
    const cookie = await h.login();
    const token = cookie.split('=')[1]!;
    const sessions = await h.db.query<{ id: string }>('SELECT id FROM sessions');
    expect(sessions.rows.length).toBeGreaterThan(0);
    expect(sessions.rows.map((r) => r.id)).not.toContain(token);
    const users = await h.db.query<{ username: string; password_hash: string }>('SELECT username, password_hash FROM users');
    expect(users.rows).toEqual([{ username: 'admin', password_hash: expect.stringMatching(/^scrypt\$/) }]);
    expect(users.rows[0]!.password_hash).not.toContain(TEST_ADMIN_PASSWORD);
  });

  it('marks the cookie Secure when the request came over https through a trusted proxy', async () => {
    const res = await login(h.api.url, { password: TEST_ADMIN_PASSWORD }, { 'x-forwarded-proto': 'https' });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()[0]).toMatch(/; Secure$/);
  });

  it('checks the session before upgrading the live WebSocket', async () => {
    expect((await openLive(h.api.url)).status).toBe(401);
    expect((await openLive(h.api.url, `${SESSION_COOKIE}=${'B'.repeat(43)}`)).status).toBe(401);
    const opened = await openLive(h.api.url, await h.login());
    expect(opened.status).toBe(101);
    opened.socket?.close();
  });
});

describe('sign-in rate limit', () => {
  const h = useApiHarness({ PORTPRESSURE_LOGIN_MAX_ATTEMPTS: '3', PORTPRESSURE_TRUST_PROXY: 'loopback' });

  it('refuses further attempts from one address, even with the right password, and not from others', async () => {
    const from = { 'x-forwarded-for': '198.51.100.7' };
    for (let i = 0; i < 3; i++) expect((await login(h.api.url, { password: `guess-${i}` }, from)).status).toBe(401);
    const limited = await login(h.api.url, { password: TEST_ADMIN_PASSWORD }, from);
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ code: 'LOGIN_RATE_LIMITED' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(800);
    const other = await login(h.api.url, { password: TEST_ADMIN_PASSWORD }, { 'x-forwarded-for': '198.51.100.8' });
    expect(other.status).toBe(200);
  });

  it('counts parallel guesses exactly, so a burst cannot slip past the limit', async () => {
    const from = { 'x-forwarded-for': '198.51.100.9' };
    const statuses = await Promise.all(
      Array.from({ length: 8 }, (_, i) => login(h.api.url, { password: `p-${i}` }, from).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
  });
});

describe('the admin password', () => {
  // no PORTPRESSURE_ADMIN_PASSWORD: the API generates one (printed once in its log)
  const h = useApiHarness({ PORTPRESSURE_ADMIN_PASSWORD: '' });

  it('is generated on first start and stored hashed', async () => {
    const users = await h.db.query<{ password_hash: string }>(`SELECT password_hash FROM users WHERE username = 'admin'`);
    expect(users.rows).toHaveLength(1);
    expect(users.rows[0]!.password_hash).toMatch(/^scrypt\$/);
    expect((await login(h.api.url, { password: TEST_ADMIN_PASSWORD })).status).toBe(401);
  });

  it('follows PORTPRESSURE_ADMIN_PASSWORD when set, ending the sessions of the old one', async () => {
    const first = await startApi(
      loadApiConfig({ DATABASE_URL: h.db.url, PORT: '0', HOST: '127.0.0.1', PORTPRESSURE_ADMIN_PASSWORD: 'first-password' }),
      { logger: false },
    );
    const res = await login(first.url, { password: 'first-password' });
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie()[0]!.split(';')[0]!;
    await first.close();

    const second = await startApi(
      loadApiConfig({ DATABASE_URL: h.db.url, PORT: '0', HOST: '127.0.0.1', PORTPRESSURE_ADMIN_PASSWORD: 'second-password' }),
      { logger: false },
    );
    try {
      expect((await fetch(`${second.url}/api/auth/me`, { headers: { cookie } })).status).toBe(401);
      expect((await login(second.url, { password: 'first-password' })).status).toBe(401);
      expect((await login(second.url, { password: 'second-password' })).status).toBe(200);
    } finally {
      await second.close();
    }
  });
});
