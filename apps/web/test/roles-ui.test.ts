import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertsApi, FAST_ALERTS_ENV } from '../../api/test/alerts/support/alerts-api.ts';
import { TEST_ADMIN_PASSWORD, useApiHarness } from '../../api/test/support/api-harness.ts';
import { auditEvents, createUser, documentedRoutes, fetcherFor } from '../../api/test/support/users.ts';
import { screenshot, signInWith, useBrowser } from './support/browser.ts';
import { seedHost, type SeededHost } from './support/seed-hosts.ts';
import { waitUntil } from '../../../test/support/wait.ts';

// Roles in headless Chromium against the real API: a viewer sees every page but no button that
// changes anything, and the API refuses each mutating route from that browser session; an editor
// gets the buttons but not the users page; an admin manages users from the UI.

const PUBLIC = new Set(['/api/auth/login', '/api/auth/logout', '/api/auth/oidc/login', '/api/auth/oidc/callback']);
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const BACKEND = { remoteAddress: '10.0.0.5', remotePort: 5432 };

describe('roles in headless Chromium', () => {
  const browser = useBrowser();
  const h = useApiHarness(FAST_ALERTS_ENV);
  let host: SeededHost;

  const signInAs = (page: Page, username: string, password: string) => signInWith(page, h.api.url, username, password);

  async function signOut(page: Page): Promise<void> {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);
  }

  /** Buttons and controls that would change something, visible on the page right now. */
  async function mutatingControls(page: Page): Promise<string[]> {
    const names = [
      'New rule',
      'New channel',
      'Edit',
      'Delete',
      'Send test',
      'Acknowledge',
      'Unsilence',
      'Create user',
      'Reset password',
      'End sessions',
    ];
    const found: string[] = [];
    for (const name of names) if ((await page.getByRole('button', { name, exact: true }).count()) > 0) found.push(name);
    if ((await page.getByRole('combobox', { name: /^Silence / }).count()) > 0) found.push('Silence…');
    return found;
  }

  beforeAll(async () => {
    const admin = fetcherFor(h.api.url, await h.login());
    await createUser(admin, 'victor', 'viewer', 'victor-password-1');
    await createUser(admin, 'erin', 'editor', 'erin-password-1');
    host = await seedHost(h.api.url, 'db-proxy-1', { env: 'prod' });
    const alerts = new AlertsApi(admin);
    const channel = await alerts.createWebhookChannel('Ops hook', 'http://127.0.0.1:9/hook', 'roles-ui-shared-secret-0123');
    await alerts.createRule({
      name: 'DB proxy critical',
      kind: 'pressure',
      severity: 'critical',
      scope: { hostId: host.hostId, labels: {} },
      channelIds: [channel.id],
      params: { threshold: 0.9, resolveMargin: 0.1, sustainSnapshots: 1 },
      repeatIntervalSeconds: 0,
    });
    await host.report([{ ...BACKEND, used: 96 }]);
    await waitUntil('a firing incident', async () => (await alerts.incidents('firing')).length === 1 || undefined);
  });

  afterAll(() => host?.agent.close());

  it('shows a viewer every page without a single button that changes something', async () => {
    const { page } = browser;
    await signInAs(page, 'victor', 'victor-password-1');
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Users' }).count()).toBe(0);
    for (const [path, content] of [
      ['/alerts', 'DB proxy critical'],
      ['/alerts/rules', 'DB proxy critical'],
      ['/alerts/channels', 'Ops hook'],
      ['/audit', 'create'],
      ['/', 'db-proxy-1'],
    ] as const) {
      await page.goto(`${h.api.url}${path}`);
      await expect.poll(() => page.locator('main').textContent(), { timeout: 15_000 }).toContain(content);
      expect(await mutatingControls(page), path).toEqual([]);
    }
    await page.goto(`${h.api.url}/alerts`);
    await expect.poll(() => page.locator('main').textContent()).toContain('DB proxy critical');
    await screenshot(page, 'roles-viewer-incidents');
  });

  it("refuses every mutating route from the viewer's browser session with 403", async () => {
    const { page } = browser;
    const writes = (await documentedRoutes(h.api.url)).filter((r) => MUTATING.has(r.method) && !PUBLIC.has(r.path));
    expect(writes.length).toBeGreaterThan(10);
    const statuses = await page.evaluate(async (routes) => {
      const out: string[] = [];
      for (const r of routes) {
        const res = await fetch(r.path, { method: r.method, headers: { 'content-type': 'application/json' }, body: '{}' });
        out.push(`${r.method} ${r.path} ${res.status}`);
      }
      return out;
    }, writes);
    expect(statuses).toEqual(writes.map((r) => `${r.method} ${r.path} 403`));
    const audit = await auditEvents((path, init) => h.authedFetch(path, init));
    expect(audit.filter((e) => e.actor === 'victor')).toEqual([]);
  });

  it('gives an editor the buttons of alerting but not the users page', async () => {
    const { page } = browser;
    await signOut(page);
    await signInAs(page, 'erin', 'erin-password-1');
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).count()).toBe(0);
    await page.goto(`${h.api.url}/alerts`);
    const row = page.getByTestId('incident-row').filter({ hasText: 'DB proxy critical' });
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    await screenshot(page, 'roles-editor-incidents');
    await row.getByRole('button', { name: 'Acknowledge' }).click({ timeout: 10_000 });
    await expect.poll(() => row.textContent()).toContain('acknowledged');
    await page.goto(`${h.api.url}/alerts/rules`);
    await expect.poll(() => mutatingControls(page)).toEqual(expect.arrayContaining(['New rule', 'Edit', 'Delete']));
    await page.goto(`${h.api.url}/users`);
    await expect
      .poll(() =>
        page
          .getByRole('alert')
          .first()
          .textContent()
          .catch(() => ''),
      )
      .toContain('admin role');
  });

  it('lets an admin change a role from the users page, recorded in the audit log', async () => {
    const { page } = browser;
    await signOut(page);
    await signInAs(page, 'admin', TEST_ADMIN_PASSWORD);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Role of victor').selectOption('editor');
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'victor is now editor' }).count()).toBe(1);
    await screenshot(page, 'roles-users-page');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    const rows = page.getByTestId('audit-row');
    await expect.poll(() => rows.first().textContent(), { timeout: 15_000 }).toContain('admin');
    expect(await rows.first().textContent()).toContain('update user');
    const events = await auditEvents((path, init) => h.authedFetch(path, init));
    expect(events.map((e) => `${e.actor} ${e.action} ${e.entityType}`)).toEqual(
      expect.arrayContaining([
        'admin update user',
        'erin acknowledge incident',
        'admin create rule',
        'admin create channel',
        'admin create user',
      ]),
    );
  });
});
