import { egressOverviewSchema } from '@portpressure/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertsApi, FAST_ALERTS_ENV } from '../../api/test/alerts/support/alerts-api.ts';
import { startApiHarness, TEST_ADMIN_PASSWORD, type ApiHarness } from '../../api/test/support/api-harness.ts';
import { createUser, fetcherFor } from '../../api/test/support/users.ts';
import { lacks } from '../../../test/support/requirements.ts';
import { ensureWebBuilt, launchBrowser, screenshot, signInWith, type Browser } from './support/browser.ts';
import { seedHost, type SeededHost } from './support/seed-hosts.ts';

// The Destinations page in headless Chromium against the real API, with hosts seeded through the
// real ingest path: the ranking with its counts and worst host, and an egress group's budget whose
// limit an editor changes from the page (a viewer sees no button for it).

const WEB = '10.30.0.1';
const DB = '10.30.0.2';

describe.skipIf(lacks('Destinations page', 'chromium'))('Destinations page in headless Chromium', () => {
  let h: ApiHarness;
  let browser: Browser;
  const hosts: SeededHost[] = [];

  beforeAll(async () => {
    ensureWebBuilt();
    h = await startApiHarness({ ...FAST_ALERTS_ENV, PORTPRESSURE_EGRESS_DEFAULT_LIMIT: '1000' });
    await createUser(fetcherFor(h.api.url, await h.login()), 'vera', 'viewer', 'vera-password-1');
    const [a, b, c] = await Promise.all([
      seedHost(h.api.url, 'edge-a', { egress: 'nat-east' }),
      seedHost(h.api.url, 'edge-b', { egress: 'nat-east' }),
      seedHost(h.api.url, 'batch-c', {}),
    ]);
    hosts.push(a, b, c);
    await a.report([
      { remoteAddress: WEB, remotePort: 443, used: 70 },
      { remoteAddress: DB, remotePort: 5432, used: 12 },
    ]);
    await b.report([{ remoteAddress: WEB, remotePort: 443, used: 50, timeWait: 10 }]);
    await c.report([{ remoteAddress: DB, remotePort: 5432, used: 93 }]);
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    for (const s of hosts) s.agent.close();
    await h?.stop();
  });

  it('ranks destinations with their hosts, connections and worst host', async () => {
    const { page } = browser;
    await signInWith(page, h.api.url, 'admin', TEST_ADMIN_PASSWORD);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Destinations' }).click();
    await page.waitForURL(/\/destinations$/);
    const rows = page.getByTestId('destination-row');
    await expect
      .poll(() => rows.evaluateAll((r) => r.map((x) => x.getAttribute('data-endpoint'))), { timeout: 15_000 })
      .toEqual([`${DB}:5432`, `${WEB}:443`]);
    const db = page.locator(`tr[data-testid="destination-row"][data-endpoint="${DB}:5432"]`);
    expect(await db.getByTestId('destination-hosts').textContent()).toBe('2');
    expect(await db.getByTestId('destination-connections').textContent()).toBe('105');
    expect(await db.getByTestId('destination-worst-host').textContent()).toBe('batch-c');
    expect(await db.getByRole('meter').getAttribute('aria-valuenow')).toBe('93');
    const web = page.locator(`tr[data-testid="destination-row"][data-endpoint="${WEB}:443"]`);
    expect(await web.getByTestId('destination-connections').textContent()).toBe('120');
    expect(await web.getByTestId('destination-worst-host').textContent()).toBe('edge-a');
    await screenshot(page, 'destinations', { wholePage: true });
  });

  it("shows an egress group's budget against the limit, and an editor sets the limit from the page", async () => {
    const { page } = browser;
    const group = page.locator('[data-testid="egress-group"][data-group="nat-east"]');
    const web = group.locator(`tr[data-endpoint="${WEB}:443"]`);
    await expect.poll(() => web.getByTestId('egress-connections').textContent()).toBe('120 / 1,000');
    expect(await web.getByRole('meter').getAttribute('aria-valuenow')).toBe('12');
    expect(await web.textContent()).toContain('(default)');

    await web.getByRole('button', { name: 'Edit limit' }).click();
    await web.getByLabel(`Limit of ${WEB}:443`).fill('150');
    await web.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => web.getByTestId('egress-connections').textContent()).toBe('120 / 150');
    expect(await web.getByRole('meter').getAttribute('aria-valuenow')).toBe('80');
    expect(await web.textContent()).not.toContain('(default)');
    const stored = egressOverviewSchema.parse(await (await h.authedFetch('/api/egress')).json());
    expect(stored.limits).toEqual([{ remoteAddress: WEB, remotePort: 443, limit: 150 }]);
    await screenshot(page, 'destinations-egress', { wholePage: true });
  });

  it('lists the egress incident on the Alerts page once the group passes the rule threshold', async () => {
    const { page } = browser;
    await new AlertsApi((path, init) => h.authedFetch(path, init)).replaceRules([
      { name: 'NAT east budget', kind: 'egress', severity: 'warning', params: { threshold: 0.75, sustainTicks: 1 } },
    ]);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alerts' }).click();
    const row = page.getByRole('row').filter({ hasText: 'NAT east budget' });
    await expect.poll(() => row.textContent(), { timeout: 15_000 }).toContain(`egress group nat-east → ${WEB}:443`);
    expect(await row.textContent()).toContain('120 of 150 connections');
  });

  it("puts a host into an egress group from its page, and the group's budget counts it", async () => {
    const { page } = browser;
    await page.goto(`${h.api.url}/hosts/${hosts[2]!.hostId}`);
    const control = page.getByTestId('host-egress-group');
    await expect.poll(() => control.textContent(), { timeout: 15_000 }).toContain('no egress group');
    await control.getByRole('button', { name: 'Egress group…' }).click();
    await control.getByLabel('Egress group').fill('nat-east');
    await control.getByRole('button', { name: 'Save group' }).click();
    await expect.poll(() => control.textContent()).toContain('egress group nat-east (set)');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Destinations' }).click();
    const group = page.locator('[data-testid="egress-group"][data-group="nat-east"]');
    await expect
      .poll(() => group.locator(`tr[data-endpoint="${DB}:5432"]`).getByTestId('egress-connections').textContent())
      .toBe('105 / 1,000');
    expect(await group.locator('h3').textContent()).toContain('3 hosts: batch-c, edge-a, edge-b');
  });

  it('shows a viewer the same budget without a button to change it', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);
    await signInWith(page, h.api.url, 'vera', 'vera-password-1');
    await page.goto(`${h.api.url}/destinations`);
    const web = page.locator(`[data-testid="egress-group"][data-group="nat-east"] tr[data-endpoint="${WEB}:443"]`);
    await expect.poll(() => web.getByTestId('egress-connections').textContent(), { timeout: 15_000 }).toBe('120 / 150');
    expect(await page.getByRole('button', { name: 'Edit limit' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Use default' }).count()).toBe(0);
    expect(await page.getByTestId('destination-row').count()).toBe(2);
    await page.goto(`${h.api.url}/hosts/${hosts[2]!.hostId}`);
    await expect.poll(() => page.getByTestId('host-egress-group').textContent(), { timeout: 15_000 }).toContain('egress group nat-east');
    expect(await page.getByRole('button', { name: 'Egress group…' }).count()).toBe(0);
  });
});
