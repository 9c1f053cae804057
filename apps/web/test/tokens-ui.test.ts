import { beforeAll, describe, expect, it } from 'vitest';
import { useApiHarness } from '../../api/test/support/api-harness.ts';
import { lacks } from '../../../test/support/requirements.ts';
import { openSignedIn, screenshot, useBrowser } from './support/browser.ts';

// The API tokens page in headless Chromium against the real API: a token created from the UI is
// shown once and works as a bearer token; revoked from the UI, it stops working.

describe.skipIf(lacks('API tokens page', 'chromium'))('API tokens page in headless Chromium', () => {
  const browser = useBrowser();
  const h = useApiHarness();
  beforeAll(() => openSignedIn(browser.page, `${h.api.url}/settings/tokens`));

  it('creates a read-only token shown once, which reads but cannot write, and revokes it', async () => {
    const { page } = browser;
    await page.getByLabel('Name').fill('grafana');
    await page.getByLabel('Scope').selectOption('read');
    await page.getByLabel('Expires after').selectOption('30 days');
    await page.getByRole('button', { name: 'Create token' }).click();
    const value = page.getByTestId('new-token-value');
    await expect.poll(() => value.count()).toBe(1);
    const token = (await value.textContent()) ?? '';
    expect(token).toMatch(/^ppt_/);
    const row = page.getByTestId('token-row').filter({ hasText: 'grafana' });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('read-only');
    expect(await row.textContent()).toContain('by admin');
    await screenshot(page, 'api-tokens');

    const read = await fetch(`${h.api.url}/api/fleet`, { headers: { authorization: `Bearer ${token}` } });
    expect(read.status).toBe(200);
    const write = await fetch(`${h.api.url}/api/alerts/rules`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(write.status).toBe(403);

    // shown once: a reload lists the token but never its value again
    await page.reload();
    await expect.poll(() => page.getByTestId('token-row').count()).toBe(1);
    expect(await page.content()).not.toContain(token);

    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('token-row').filter({ hasText: 'grafana' }).getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => page.getByTestId('token-row').filter({ hasText: 'grafana' }).textContent()).toContain('revoked');
    expect((await fetch(`${h.api.url}/api/fleet`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });
});
