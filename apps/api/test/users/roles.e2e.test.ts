import { apiErrorSchema, userListSchema, type User } from '@portpressure/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertsApi, FAST_ALERTS_ENV, type Fetcher } from '../alerts/support/alerts-api.ts';
import { alertScenario, withoutDefaultRules } from '../alerts/support/alert-scenario.ts';
import { startApiHarness, TEST_ADMIN_PASSWORD, type ApiHarness } from '../support/api-harness.ts';
import { auditEvents, createUser, documentedRoutes, fetcherFor, signIn, type DocumentedRoute } from '../support/users.ts';
import { waitUntil } from '../../../../test/support/wait.ts';

/** Routes anyone may call without a session: they are not about roles. */
const PUBLIC = new Set([
  '/api/auth/login',
  '/api/auth/logout',
  '/api/health',
  '/api/auth/methods',
  '/api/auth/oidc/login',
  '/api/auth/oidc/callback',
]);
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

async function call(f: Fetcher, route: DocumentedRoute, body: unknown = {}): Promise<Response> {
  return f(route.path, {
    method: route.method,
    ...(MUTATING.has(route.method) ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
}

async function counts(h: ApiHarness): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of [
    'users',
    'alert_rules',
    'alert_channels',
    'alert_incidents',
    'audit_events',
    'host_credentials',
    'alert_deliveries',
  ]) {
    const { rows } = await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    out[table] = rows[0]!.n;
  }
  return out;
}

describe('users and roles over REST', () => {
  let h: ApiHarness;
  let admin: Fetcher;
  let editor: Fetcher;
  let viewer: Fetcher;
  let editorUser: User;
  let viewerUser: User;
  let routes: DocumentedRoute[];

  beforeAll(async () => {
    h = await startApiHarness(FAST_ALERTS_ENV);
    admin = fetcherFor(h.api.url, await h.login());
    editorUser = await createUser(admin, 'erin', 'editor', 'erin-password-1');
    viewerUser = await createUser(admin, 'victor', 'viewer', 'victor-password-1');
    editor = fetcherFor(h.api.url, await signIn(h.api.url, 'erin', 'erin-password-1'));
    viewer = fetcherFor(h.api.url, await signIn(h.api.url, 'victor', 'victor-password-1'));
    routes = (await documentedRoutes(h.api.url)).filter((r) => !PUBLIC.has(r.path));
  });
  afterAll(async () => h?.stop());

  it('tells each user their role', async () => {
    expect(await (await viewer('/api/auth/me')).json()).toMatchObject({ username: 'victor', role: 'viewer' });
    expect(await (await editor('/api/auth/me')).json()).toMatchObject({ username: 'erin', role: 'editor' });
    expect(await (await admin('/api/auth/me')).json()).toMatchObject({ username: 'admin', role: 'admin' });
  });

  it('lets a viewer read every read route except user accounts and the enrollment token', async () => {
    const reads = routes.filter((r) => r.method === 'GET');
    expect(reads.length).toBeGreaterThan(10);
    for (const route of reads) {
      const res = await call(viewer, route);
      // user accounts, and the install info that carries the enrollment token (it adds hosts)
      if (route.path.startsWith('/api/users') || route.path === '/api/agents/install') {
        expect(res.status, `${route.method} ${route.path}`).toBe(403);
      } else {
        expect([401, 403], `${route.method} ${route.path} answered ${res.status}`).not.toContain(res.status);
      }
    }
  });

  it('refuses a viewer every mutating route with 403 and changes nothing', async () => {
    const writes = routes.filter((r) => MUTATING.has(r.method));
    expect(writes.length).toBeGreaterThan(10);
    const before = await counts(h);
    for (const route of writes) {
      const res = await call(viewer, route);
      expect(res.status, `${route.method} ${route.path}`).toBe(403);
      expect(apiErrorSchema.parse(await res.json()).code).toBe('FORBIDDEN');
    }
    // real targets too, not only ids that name nothing
    const [rule] = await new AlertsApi(admin).rules();
    expect((await viewer(`/api/alerts/rules/${rule!.id}`, { method: 'DELETE' })).status).toBe(403);
    expect(
      (
        await viewer(`/api/users/${viewerUser.id}`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json' },
          body: '{"role":"admin"}',
        })
      ).status,
    ).toBe(403);
    expect(await counts(h)).toEqual(before);
  });

  it('refuses an editor every user route but lets them change rules and channels', async () => {
    const userRoutes = routes.filter((r) => r.path.startsWith('/api/users'));
    expect(userRoutes.length).toBeGreaterThanOrEqual(6);
    for (const route of userRoutes) {
      const res = await call(editor, route, { username: 'mallory', role: 'admin', password: 'mallory-password' });
      expect(res.status, `${route.method} ${route.path}`).toBe(403);
    }
    const raise = await editor(`/api/users/${editorUser.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: '{"role":"admin"}',
    });
    expect(raise.status).toBe(403);
    const alerts = new AlertsApi(editor);
    const channel = await alerts.createWebhookChannel('ops hook', 'http://127.0.0.1:9/hook/SECRET', 'editor-shared-secret-0123');
    await alerts.updateChannel(channel.id, { name: 'ops hook 2', type: 'webhook', enabled: true, settings: channel.settings });
    const users = userListSchema.parse(await (await admin('/api/users')).json()).users;
    expect(users.map((u) => [u.username, u.role])).toEqual([
      ['admin', 'admin'],
      ['erin', 'editor'],
      ['victor', 'viewer'],
    ]);
  });

  it('never removes or demotes the last admin', async () => {
    const me = userListSchema.parse(await (await admin('/api/users')).json()).users.find((u) => u.username === 'admin')!;
    const demote = await admin(`/api/users/${me.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: '{"role":"editor"}',
    });
    expect(demote.status).toBe(409);
    expect(await demote.json()).toMatchObject({ code: 'LAST_ADMIN' });
    const remove = await admin(`/api/users/${me.id}`, { method: 'DELETE' });
    expect(remove.status).toBe(409);
    expect(await (await admin('/api/auth/me')).json()).toMatchObject({ role: 'admin' });

    // With a second admin, the first may step down; then the second is the last one.
    const second = await createUser(admin, 'ada', 'admin', 'ada-password-12');
    const ada = fetcherFor(h.api.url, await signIn(h.api.url, 'ada', 'ada-password-12'));
    const stepDown = await ada(`/api/users/${me.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: '{"role":"editor"}',
    });
    expect(stepDown.status).toBe(200);
    expect((await admin('/api/users')).status).toBe(403); // the role applies to the live session at once
    expect((await ada(`/api/users/${second.id}`, { method: 'DELETE' })).status).toBe(409);
    expect(
      (await ada(`/api/users/${me.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"role":"admin"}' }))
        .status,
    ).toBe(200);
    expect((await admin('/api/users')).status).toBe(200);
    expect((await admin(`/api/users/${second.id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('lets an admin reset a password and end sessions', async () => {
    const victor2 = fetcherFor(h.api.url, await signIn(h.api.url, 'victor', 'victor-password-1'));
    const reset = await admin(`/api/users/${viewerUser.id}/password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"password":"victor-password-2"}',
    });
    expect(reset.status).toBe(200);
    expect((await victor2('/api/auth/me')).status).toBe(401);
    await expect(signIn(h.api.url, 'victor', 'victor-password-1')).rejects.toThrow(/401/);
    viewer = fetcherFor(h.api.url, await signIn(h.api.url, 'victor', 'victor-password-2'));
    const short = await admin(`/api/users/${viewerUser.id}/password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"password":"short"}',
    });
    expect(short.status).toBe(400);
    const ended = await admin(`/api/users/${viewerUser.id}/sessions`, { method: 'DELETE' });
    expect(ended.status).toBe(200);
    expect((await viewer('/api/auth/me')).status).toBe(401);
    viewer = fetcherFor(h.api.url, await signIn(h.api.url, 'victor', 'victor-password-2'));
  });

  it('lets an editor acknowledge and silence incidents, and a viewer neither', async () => {
    const alerts = new AlertsApi(editor);
    await withoutDefaultRules(new AlertsApi(admin));
    const scenario = await alertScenario(h, alerts, 'roles-host', 'http://127.0.0.1:9/nowhere');
    await scenario.report(95);
    const incident = await waitUntil('an incident', async () =>
      (await alerts.incidents('firing')).find((i) => i.host.id === scenario.hostId),
    );
    expect((await viewer(`/api/alerts/incidents/${incident.id}/acknowledge`, { method: 'POST' })).status).toBe(403);
    await alerts.acknowledge(incident.id);
    await alerts.silence(incident.id, 600);
  });

  it('records every change above in the audit log, with the right user and before/after', async () => {
    const events = await auditEvents(viewer);
    const seen = events.map((e) => `${e.actor} ${e.action} ${e.entityType}`);
    for (const expected of [
      'admin create user',
      'erin create channel',
      'erin update channel',
      'ada update user',
      'admin delete user',
      'admin reset-password user',
      'admin end-sessions user',
      'admin delete rule',
      'erin create rule',
      'erin acknowledge incident',
      'erin silence incident',
    ]) {
      expect(seen, expected).toContain(expected);
    }
    // Refused calls left nothing: no event by the viewer, none for the refused demotions.
    expect(events.filter((e) => e.actor === 'victor')).toEqual([]);
    const channelUpdate = events.find((e) => e.action === 'update' && e.entityType === 'channel')!;
    expect(channelUpdate.before).toMatchObject({ name: 'ops hook' });
    expect(channelUpdate.after).toMatchObject({ name: 'ops hook 2' });
    expect(JSON.stringify(events)).not.toContain('SECRET');
    expect(JSON.stringify(events)).not.toContain('editor-shared-secret');
    expect(JSON.stringify(events)).not.toContain(TEST_ADMIN_PASSWORD);
    // newest first: the demotion is the older of ada's two role changes
    const demoted = events.filter((e) => e.action === 'update' && e.entityType === 'user' && e.actor === 'ada').at(-1)!;
    expect(demoted.before).toMatchObject({ username: 'admin', role: 'admin' });
    expect(demoted.after).toMatchObject({ username: 'admin', role: 'editor' });
    const deletedUser = events.find((e) => e.action === 'delete' && e.entityType === 'user')!;
    expect(deletedUser).toMatchObject({ before: { username: 'ada' }, after: null });
    const ack = events.find((e) => e.action === 'acknowledge')!;
    expect(ack.after).toMatchObject({ acknowledgedBy: 'erin' });
  });
});
