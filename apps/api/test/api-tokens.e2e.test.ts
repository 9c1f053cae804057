import { apiTokenListSchema, createdApiTokenSchema, type CreatedApiToken } from '@portpressure/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from './support/api-harness.ts';

const METRICS_TOKEN = 'metrics-only-token-0123456789';

const channel = (name: string) => ({
  name,
  type: 'webhook',
  settings: { webhookUrl: 'http://127.0.0.1:9/hook', secret: 'a-webhook-secret-0123456789' },
});

describe('API tokens', () => {
  let h: ApiHarness;
  const bearer = (token: string, path: string, init: RequestInit = {}) =>
    fetch(`${h.api.url}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` } });
  const json = { 'content-type': 'application/json' };

  async function create(body: unknown): Promise<CreatedApiToken> {
    const res = await h.authedFetch('/api/tokens', { method: 'POST', headers: json, body: JSON.stringify(body) });
    expect(res.status).toBe(201);
    return createdApiTokenSchema.parse(await res.json());
  }

  async function channelCount(): Promise<number> {
    const { rows } = await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM alert_channels');
    return rows[0]!.n;
  }

  beforeAll(async () => {
    h = await startApiHarness({ PORTPRESSURE_METRICS_TOKEN: METRICS_TOKEN });
  });
  afterAll(async () => h?.stop());

  it('creates a token shown once, stored only as a hash, with its creator', async () => {
    const created = await create({ name: 'ci', scope: 'read', expiresInDays: 30 });
    expect(created.token).toMatch(/^ppt_[A-Za-z0-9_-]{43}$/);
    expect(created.apiToken).toMatchObject({
      name: 'ci',
      scope: 'read',
      createdBy: 'admin',
      active: true,
      lastUsedAt: null,
      revokedAt: null,
    });
    const days = (Date.parse(created.apiToken.expiresAt!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    const list = apiTokenListSchema.parse(await (await h.authedFetch('/api/tokens')).json());
    expect(list.tokens.map((t) => t.id)).toContain(created.apiToken.id);
    expect(JSON.stringify(list)).not.toContain(created.token);
    const { rows } = await h.db.query<{ token_hash: string; created_by: string }>(
      'SELECT token_hash, created_by FROM api_tokens WHERE id = $1',
      [created.apiToken.id],
    );
    expect(rows[0]!.created_by).toBe('admin');
    expect(rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    const { rows: leaked } = await h.db.query(`SELECT 1 FROM api_tokens WHERE token_hash = $1 OR name = $1`, [created.token]);
    expect(leaked).toHaveLength(0);
  });

  it('refuses a bad creation request with a clear error and creates nothing', async () => {
    const before = (await h.db.query('SELECT 1 FROM api_tokens')).rowCount;
    for (const body of [
      {},
      { name: '' },
      { name: 'x', scope: 'admin' },
      { name: 'x', expiresInDays: 0 },
      { name: 'x', expiresInDays: 'soon' },
    ]) {
      const res = await h.authedFetch('/api/tokens', { method: 'POST', headers: json, body: JSON.stringify(body) });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'INVALID_API_TOKEN_REQUEST' });
    }
    expect((await h.db.query('SELECT 1 FROM api_tokens')).rowCount).toBe(before);
  });

  it('refuses requests with no token, a wrong one, an expired one and a revoked one', async () => {
    expect((await fetch(`${h.api.url}/api/fleet`)).status).toBe(401);
    // a proxy's Basic authentication is not a token: the session cookie still counts
    expect((await h.authedFetch('/api/fleet', { headers: { authorization: 'Basic dXNlcjpwYXNz' } })).status).toBe(200);
    expect((await fetch(`${h.api.url}/api/fleet`, { headers: { authorization: 'Basic dXNlcjpwYXNz' } })).status).toBe(401);
    for (const wrong of ['ppt_wrongwrongwrongwrongwrongwrongwrongwrongwro', 'not-even-a-token', '']) {
      const res = await fetch(`${h.api.url}/api/fleet`, { headers: { authorization: `Bearer ${wrong}` } });
      expect(res.status, wrong).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'INVALID_TOKEN' });
    }

    const expiring = await create({ name: 'expiring', scope: 'write' });
    expect((await bearer(expiring.token, '/api/fleet')).status).toBe(200);
    await h.db.query(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [expiring.apiToken.id]);
    const expired = await bearer(expiring.token, '/api/fleet');
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ code: 'TOKEN_EXPIRED' });

    const revoking = await create({ name: 'revoking', scope: 'write' });
    expect((await bearer(revoking.token, '/api/fleet')).status).toBe(200);
    const revoked = await h.authedFetch(`/api/tokens/${revoking.apiToken.id}`, { method: 'DELETE' });
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toMatchObject({ id: revoking.apiToken.id, active: false });
    const after = await bearer(revoking.token, '/api/fleet');
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ code: 'TOKEN_REVOKED' });
    expect((await bearer(revoking.token, '/metrics')).status).toBe(401);
    expect((await h.authedFetch('/api/tokens/00000000-0000-0000-0000-000000000000', { method: 'DELETE' })).status).toBe(404);
  });

  it('lets a read-only token read but change nothing', async () => {
    const read = await create({ name: 'dashboards', scope: 'read' });
    expect((await bearer(read.token, '/api/alerts/rules')).status).toBe(200);
    const channels = await channelCount();
    const rules = (await h.db.query('SELECT id, enabled FROM alert_rules ORDER BY id')).rows;
    const ruleId = (rules[0] as { id: string }).id;
    const attempts: [string, string, unknown?][] = [
      ['POST', '/api/alerts/channels', channel('from a read token')],
      ['DELETE', `/api/alerts/rules/${ruleId}`],
      ['PUT', `/api/alerts/rules/${ruleId}`, { name: 'x' }],
      ['POST', '/api/tokens', { name: 'escalate', scope: 'write' }],
      ['DELETE', `/api/tokens/${read.apiToken.id}`],
    ];
    for (const [method, path, body] of attempts) {
      const res = await bearer(read.token, path, { method, headers: json, body: body === undefined ? undefined : JSON.stringify(body) });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'TOKEN_READ_ONLY' });
    }
    expect(await channelCount()).toBe(channels);
    expect((await h.db.query('SELECT id, enabled FROM alert_rules ORDER BY id')).rows).toEqual(rules);
    expect((await h.db.query(`SELECT revoked_at FROM api_tokens WHERE id = $1`, [read.apiToken.id])).rows[0]).toEqual({ revoked_at: null });
  });

  it('lets a read-write token change things, but not manage tokens', async () => {
    const write = await create({ name: 'automation', scope: 'write', expiresInDays: null });
    expect(write.apiToken.expiresAt).toBeNull();
    const channels = await channelCount();
    const res = await bearer(write.token, '/api/alerts/channels', {
      method: 'POST',
      headers: json,
      body: JSON.stringify(channel('from a write token')),
    });
    expect(res.status).toBe(201);
    expect(await channelCount()).toBe(channels + 1);
    const mint = await bearer(write.token, '/api/tokens', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ name: 'more', scope: 'write' }),
    });
    expect(mint.status).toBe(403);
    expect(await mint.json()).toMatchObject({ code: 'TOKEN_NOT_ALLOWED' });
    const me = await bearer(write.token, '/api/auth/me');
    expect(await me.json()).toMatchObject({ username: 'admin' });
    const listed = apiTokenListSchema
      .parse(await (await h.authedFetch('/api/tokens')).json())
      .tokens.find((t) => t.id === write.apiToken.id);
    expect(listed?.lastUsedAt).not.toBeNull();
  });

  it('opens /metrics to a token, the metrics token or a session, and to nothing else', async () => {
    const read = await create({ name: 'prometheus', scope: 'read' });
    const ok = await bearer(read.token, '/metrics');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await ok.text()).toMatch(/^portpressure_hosts 0$/m);
    expect((await bearer(METRICS_TOKEN, '/metrics')).status).toBe(200);
    expect((await h.authedFetch('/metrics')).status).toBe(200);
    // the metrics token opens /metrics only
    expect((await bearer(METRICS_TOKEN, '/api/fleet')).status).toBe(401);
    const none = await fetch(`${h.api.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await bearer('metrics-only-token-0123456780', '/metrics')).status).toBe(401);
  });

  it('documents the bearer scheme in OpenAPI', async () => {
    const doc = (await (await fetch(`${h.api.url}/api/docs-json`)).json()) as {
      components: { securitySchemes: Record<string, { type: string; scheme?: string }> };
      security: Record<string, string[]>[];
      paths: Record<string, unknown>;
    };
    expect(doc.components.securitySchemes.token).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ session: [] }, { token: [] }]);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/tokens', '/api/tokens/{id}', '/metrics', '/healthz', '/readyz']));
  });
});
