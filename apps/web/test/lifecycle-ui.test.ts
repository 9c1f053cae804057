import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../../api/test/support/api-harness.ts';
import { ensureWebBuilt, launchBrowser, openSignedIn, screenshot, type Browser } from './support/browser.ts';
import { seedHost, type SeededHost } from './support/seed-hosts.ts';
import { MaintenanceService } from '../../api/src/retention/maintenance.service.ts';

function poll<T>(fn: () => T | Promise<T>) {
  return expect.poll(fn, { timeout: 15_000, interval: 100 });
}

describe('host deletion and the storage page, in headless Chromium against the real API', () => {
  let h: ApiHarness;
  let browser: Browser;
  const hosts = new Map<string, SeededHost>();
  const hostnames = () => browser.page.locator('[data-testid=host-row] .hostname').allTextContents();

  beforeAll(async () => {
    ensureWebBuilt();
    h = await startApiHarness();
    for (const name of ['retired-box', 'busy-box']) {
      const host = await seedHost(h.api.url, name, { env: 'test' });
      await host.report([{ remoteAddress: '10.0.0.5', remotePort: 443, used: name === 'busy-box' ? 60 : 20 }]);
      hosts.set(name, host);
    }
    browser = await launchBrowser();
    await openSignedIn(browser.page, `${h.api.url}/login`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    for (const host of hosts.values()) host.agent.close();
    await h?.stop();
  });

  it('deletes a host only once its name is typed, then it is gone from the fleet and the database', async () => {
    const { page } = browser;
    const retired = hosts.get('retired-box')!;
    await page.goto(h.api.url);
    await poll(hostnames).toEqual(['busy-box', 'retired-box']);
    await page.goto(`${h.api.url}/hosts/${retired.hostId}`);
    await poll(() => page.getByTestId('host-title').textContent()).toBe('retired-box');

    await page.getByTestId('delete-host').click();
    const confirm = page.getByTestId('delete-host-confirm');
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByTestId('delete-host-confirm-name').fill('busy-box'); // the wrong host's name arms nothing
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByTestId('delete-host-confirm').count()).toBe(0);
    expect((await h.db.query('SELECT 1 FROM hosts WHERE id = $1', [retired.hostId])).rowCount).toBe(1);

    await page.getByTestId('delete-host').click();
    await page.getByTestId('delete-host-confirm-name').fill('retired-box');
    await screenshot(page, 'delete-host-confirm');
    await page.getByTestId('delete-host-confirm').click();
    await page.waitForURL((u) => u.pathname === '/');
    await poll(hostnames).toEqual(['busy-box']);
    const { rows } = await h.db.query<{ hosts: string; snapshots: string }>(
      'SELECT (SELECT count(*) FROM hosts WHERE id = $1) AS hosts, (SELECT count(*) FROM snapshots WHERE host_id = $1) AS snapshots',
      [retired.hostId],
    );
    expect(rows[0]).toEqual({ hosts: '0', snapshots: '0' });
  });

  it('leaves an archived host out of the fleet page until it reports again', async () => {
    const { page } = browser;
    const busy = hosts.get('busy-box')!;
    await page.goto(h.api.url);
    await poll(hostnames).toContain('busy-box');
    // 31 days of silence, as the database sees it; then the maintenance job archives the host
    await h.db.query(`UPDATE hosts SET last_seen_at = now() - interval '31 days' WHERE id = $1`, [busy.hostId]);
    const job = h.api.app.get(MaintenanceService);
    await poll(async () => (await job.run())?.archivedHosts ?? null).toEqual([busy.hostId]);
    await page.reload();
    // the only host left is archived: the fleet shows its empty state, not a stale row
    await poll(async () => (await page.locator('main').textContent())?.includes('No hosts yet')).toBe(true);
    expect(await hostnames()).toEqual([]);
    await screenshot(page, 'fleet-after-archive');

    // its next report brings it back, live, on the page already open
    await busy.report([{ remoteAddress: '10.0.0.5', remotePort: 443, used: 61 }]);
    await poll(hostnames).toEqual(['busy-box']);
    const { rows } = await h.db.query<{ archived_at: Date | null }>('SELECT archived_at FROM hosts WHERE id = $1', [busy.hostId]);
    expect(rows[0]!.archived_at).toBeNull();
  });

  it('shows disk use per tier and the projected size', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Storage' }).click();
    await page.waitForURL((u) => u.pathname === '/storage');
    await poll(() => page.getByTestId('storage-raw').textContent()).toContain('Snapshots (raw)');
    expect(await page.getByTestId('storage-raw').textContent()).toContain('3 days');
    expect(await page.getByTestId('storage-total').textContent()).toMatch(/\d+(\.\d+)? (KiB|MiB|GiB)/);
    expect(await page.getByTestId('storage-hour').textContent()).toContain('180 days');
    await screenshot(page, 'storage');
  });
});
