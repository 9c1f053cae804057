import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../api/test/notifications/support/webhook-receiver.ts';
import { useApiHarness } from '../../api/test/support/api-harness.ts';
import { FAST_ALERTS_ENV } from '../../api/test/alerts/support/alerts-api.ts';
import { openSignedIn, screenshot, useBrowser } from './support/browser.ts';
import { seedHost, type SeededHost } from './support/seed-hosts.ts';
import { lacks } from '../../../test/support/requirements.ts';

// The alert pages in headless Chromium against the real API: a channel created and tested from
// the UI, a rule created from the UI firing on a real snapshot, the incident acknowledged, and the
// delivery log showing what went out and what failed.

const SECRET = 'ui-test-shared-secret-0123456789';
const BACKEND = { remoteAddress: '10.0.0.5', remotePort: 5432 };

describe.skipIf(lacks('alert pages in Chromium', 'chromium'))('alert pages in headless Chromium', () => {
  const browser = useBrowser();
  const h = useApiHarness(FAST_ALERTS_ENV);
  let receiver: WebhookReceiver;
  let host: SeededHost;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    host = await seedHost(h.api.url, 'db-proxy-1', { env: 'prod' });
    await host.report([{ ...BACKEND, used: 40 }]);
    await openSignedIn(browser.page, `${h.api.url}/alerts`);
  });

  afterAll(async () => {
    host?.agent.close();
    await receiver?.close();
  });

  it('creates a signed webhook channel, sends a test, and shows the URL only masked', async () => {
    const { page } = browser;
    await page.getByRole('navigation', { name: 'Alerts' }).getByRole('link', { name: 'Channels' }).click();
    await page.getByRole('button', { name: 'New channel' }).click();
    await page.getByLabel('Name').fill('On-call hook');
    await page.getByLabel('Service').selectOption('webhook');
    await page.getByLabel('Webhook URL').fill(receiver.url('/hooks/SECRETPATH'));
    await page.getByLabel('Signing secret').fill(SECRET);
    await page.getByRole('button', { name: 'Create channel' }).click();
    const row = page.getByTestId('channel-row').filter({ hasText: 'On-call hook' });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain(`${receiver.origin}/***`);
    expect(await page.content()).not.toContain('SECRETPATH');

    await row.getByRole('button', { name: 'Send test' }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Test message' }).textContent())
      .toContain('delivered to On-call hook (HTTP 200)');
    expect(receiver.requests.map((r) => r.path)).toEqual(['/hooks/SECRETPATH']);

    // Editing the name keeps the stored URL and secret (the form sends the masked values back).
    await row.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Name').fill('On-call');
    await page.getByRole('button', { name: 'Save' }).click();
    const renamed = page.getByTestId('channel-row').filter({ hasText: 'On-call' });
    await expect.poll(() => renamed.count()).toBe(1);
    await renamed.getByRole('button', { name: 'Send test' }).click();
    await expect.poll(() => receiver.requests.length).toBe(2);
    expect(receiver.requests[1]?.path).toBe('/hooks/SECRETPATH');
    await screenshot(page, 'alerts-channels');
  });

  it("shows a failing test send with the receiver's answer", async () => {
    const { page } = browser;
    receiver.enqueue({ status: 404, body: 'no_such_hook' });
    await page.getByTestId('channel-row').first().getByRole('button', { name: 'Send test' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('HTTP 404');
  });

  it('lists the default rules and creates a new one from the form', async () => {
    const { page } = browser;
    await page.getByRole('navigation', { name: 'Alerts' }).getByRole('link', { name: 'Rules' }).click();
    await expect.poll(() => page.getByTestId('rule-row').count()).toBe(4);
    expect(await page.getByTestId('rules').textContent()).toContain('pressure ≥ 66.7 % for 3 snapshots (resolves below 61.7 %)');

    await page.getByRole('button', { name: 'New rule' }).click();
    await page.getByLabel('Name', { exact: true }).fill('DB proxy critical');
    await page.getByLabel('Severity').selectOption('critical');
    await page.getByLabel('Threshold (%)').fill('90');
    await page.getByLabel('Sustained for (snapshots)').fill('1');
    await page.getByLabel('Host', { exact: true }).selectOption({ label: 'db-proxy-1' });
    await page.getByRole('group', { name: 'Channels' }).getByLabel('On-call').check();
    await page.getByLabel('Remind every (min)').fill('0');
    await page.getByRole('button', { name: 'Create rule' }).click();
    const row = page.getByTestId('rule-row').filter({ hasText: 'DB proxy critical' });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('pressure ≥ 90 % for 1 snapshot (resolves below 85 %)');
    expect(await row.textContent()).toContain('host db-proxy-1');
    expect(await row.textContent()).toContain('no reminders');
    await screenshot(page, 'alerts-rules');
  });

  it('shows the incident a snapshot fired, and acknowledges it', async () => {
    const { page } = browser;
    await host.report([{ ...BACKEND, used: 96, timeWait: 48 }]);
    await page.getByRole('navigation', { name: 'Alerts' }).getByRole('link', { name: 'Incidents' }).click();
    const row = page.getByTestId('incident-row').filter({ hasText: 'DB proxy critical' });
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    const text = await row.textContent();
    expect(text).toContain('db-proxy-1');
    expect(text).toContain('10.0.0.5:5432 from 10.0.0.1');
    expect(text).toContain('96 %');
    expect(text).toContain('50 % TIME_WAIT');
    await screenshot(page, 'alerts-incidents');

    await row.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => row.textContent()).toContain('acknowledged');
    await page.getByRole('button', { name: 'Acknowledged' }).click();
    await expect.poll(() => page.getByTestId('incident-row').filter({ hasText: 'DB proxy critical' }).count()).toBe(1);
  });

  it('shows every delivery with its attempts in the delivery log', async () => {
    const { page } = browser;
    await page.getByRole('navigation', { name: 'Alerts' }).getByRole('link', { name: 'Delivery log' }).click();
    const firing = page.getByTestId('delivery-row').filter({ hasText: 'CRITICAL: DB proxy critical on db-proxy-1' });
    await expect.poll(() => firing.getByTestId('delivery-status').textContent(), { timeout: 15_000 }).toBe('delivered');
    expect(await firing.getByTestId('attempts').textContent()).toContain('delivered (HTTP 200)');
    await page.getByRole('button', { name: 'Failed' }).click();
    const failed = page.getByTestId('delivery-row');
    await expect.poll(() => failed.count()).toBe(1);
    expect(await failed.getByTestId('attempts').textContent()).toContain('HTTP 404');
    expect(await page.content()).not.toContain('SECRETPATH');
    await page.getByRole('button', { name: 'All' }).click();
    await expect.poll(() => page.getByTestId('delivery-row').count()).toBeGreaterThanOrEqual(4);
    await screenshot(page, 'alerts-deliveries');
  });
});
