import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startApiHarness,
  TEST_ADMIN_PASSWORD,
  TEST_ENROLLMENT_TOKEN,
  useApiHarness,
  type ApiHarness,
} from '../../api/test/support/api-harness.ts';
import { ensureWebBuilt, launchBrowser, screenshot, useBrowser, type Browser } from './support/browser.ts';
import { seedHost, seedHour, type SeededHost, type TupleSpec } from './support/seed-hosts.ts';
import { lacks } from '../../../test/support/requirements.ts';
import { poll } from '../../../test/support/wait.ts';

// Hosts report every 2 s here, so one that stops is offline 6 s later (three intervals).
const INTERVAL_SECONDS = 2;

const BACKEND = { remoteAddress: '10.0.0.5', remotePort: 5432 };

/** What each host reports now; the heartbeat keeps sending it, tests change it. */
const current = new Map<string, TupleSpec[]>([
  [
    'db-proxy-1',
    [
      { ...BACKEND, used: 96, timeWait: 60 },
      { remoteAddress: '10.0.0.9', remotePort: 6379, used: 30 },
    ],
  ],
  ['api-gateway-2', [{ remoteAddress: '10.0.1.7', remotePort: 443, used: 72, timeWait: 10 }]],
  ['gone-5', [{ remoteAddress: '10.0.4.2', remotePort: 9200, used: 50 }]],
  ['batch-3', [{ remoteAddress: '10.0.2.3', remotePort: 9092, used: 35 }]],
  ['cache-6', [{ remoteAddress: '2001:db8::10', remotePort: 6379, localAddress: '2001:db8::1', used: 20 }]],
  ['idle-4', [{ remoteAddress: '10.0.3.4', remotePort: 443, used: 5 }]],
]);
const LABELS: Record<string, Record<string, string>> = {
  'db-proxy-1': { env: 'prod', team: 'payments' },
  'api-gateway-2': { env: 'prod', team: 'edge' },
  'gone-5': { env: 'prod', team: 'search' },
  'batch-3': { env: 'staging', team: 'data' },
  'cache-6': { env: 'prod' },
  'idle-4': { env: 'staging' },
};

/** The last hour of each host: db-proxy-1 climbs from 60 to 96 ports (a leak), api-gateway-2 spikes once. */
function history(hostname: string, minutesAgo: number): TupleSpec[] {
  const now = current.get(hostname)!;
  if (hostname === 'db-proxy-1') {
    const used = Math.round(96 - (36 * minutesAgo) / 60);
    return [{ ...BACKEND, used, timeWait: Math.round(used * 0.62) }, now[1]!];
  }
  if (hostname === 'api-gateway-2' && minutesAgo > 30 && minutesAgo <= 31) return [{ ...now[0]!, used: 88 }];
  if (hostname === 'api-gateway-2') return [{ ...now[0]!, used: 68 + Math.round(4 * Math.sin(minutesAgo / 3)) }];
  return now;
}

describe.skipIf(lacks('web UI', 'chromium'))('web UI in headless Chromium against the real API', () => {
  let h: ApiHarness;
  let browser: Browser;
  const hosts = new Map<string, SeededHost>();
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const rows = () => browser.page.locator('[data-testid=host-row]');
  const hostnames = () => browser.page.locator('[data-testid=host-row] .hostname').allTextContents();

  beforeAll(async () => {
    ensureWebBuilt();
    h = await startApiHarness({ PORTPRESSURE_INTERVAL_SECONDS: String(INTERVAL_SECONDS), PORTPRESSURE_AGENT_RATE_LIMIT: '100000' });
    for (const name of current.keys()) {
      const host = await seedHost(h.api.url, name, LABELS[name]!);
      await seedHour(host, (m) => history(name, m));
      hosts.set(name, host);
    }
    heartbeat = setInterval(() => {
      for (const [name, host] of hosts) if (name !== 'gone-5') void host.report(current.get(name)!).catch(() => undefined);
    }, 1000);
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    clearInterval(heartbeat);
    await browser?.close();
    for (const host of hosts.values()) host.agent.close();
    await h?.stop();
  });

  it('asks for the password before showing anything', async () => {
    const { page } = browser;
    await page.goto(`${h.api.url}/hosts/${hosts.get('batch-3')!.hostId}`);
    await page.waitForURL(/\/login\?next=/);
    await poll(() => page.getByLabel('Password').isVisible()).toBe(true);
    expect(await rows().count()).toBe(0);
    await screenshot(page, 'sign-in');

    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await poll(() => page.getByRole('alert').textContent()).toContain('Wrong user name or password');

    await page.getByLabel('Password').fill(TEST_ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // back where it was going: the host it asked for
    await page.waitForURL(new RegExp(`/hosts/${hosts.get('batch-3')!.hostId}`));
    await poll(() => page.getByTestId('host-title').textContent()).toBe('batch-3');
  });

  it('ranks the fleet by pressure, worst first, with worst tuple, TIME_WAIT share, forecast and sparkline', async () => {
    const { page } = browser;
    await page.goto(h.api.url);
    await poll(hostnames).toEqual(['db-proxy-1', 'api-gateway-2', 'gone-5', 'batch-3', 'cache-6', 'idle-4']);
    const first = rows().first();
    expect(await first.getByTestId('pressure').textContent()).toBe('96 %');
    expect(await first.getByTestId('worst-tuple').textContent()).toBe('10.0.0.5:5432 from 10.0.0.1');
    expect(await first.textContent()).toContain('63 %'); // 60 of 96 in TIME_WAIT
    expect(await first.textContent()).toContain('env=prod');
    await poll(() => first.getByTestId('forecast').textContent(), { timeout: 15_000 }).toMatch(/^in \d+ min$/);
    expect(await rows().filter({ hasText: 'cache-6' }).getByTestId('worst-tuple').textContent()).toBe(
      '[2001:db8::10]:6379 from 2001:db8::1',
    );
    expect(await first.locator('svg.sparkline polyline').count()).toBeGreaterThan(0);
    // the whole fleet's count, whatever the filter
    expect(await page.locator('.stats > span').first().textContent()).toBe('6 hosts');
    await screenshot(page, 'fleet');
  });

  it('filters by text and by label, and sorts by any column', async () => {
    const { page } = browser;
    await page.getByLabel('Filter hosts').fill('gateway');
    await poll(hostnames).toEqual(['api-gateway-2']);
    await page.getByLabel('Filter hosts').fill('');
    await page.getByLabel('Label').selectOption('env=staging');
    await poll(hostnames).toEqual(['batch-3', 'idle-4']);
    await page.getByLabel('Label').selectOption('');
    await page.getByRole('button', { name: /^Host/ }).click();
    await poll(hostnames).toEqual(['api-gateway-2', 'batch-3', 'cache-6', 'db-proxy-1', 'gone-5', 'idle-4']);
    await page.getByRole('button', { name: /^Host/ }).click();
    await poll(async () => (await hostnames())[0]).toBe('idle-4');
    await page.getByRole('button', { name: /^Pressure/ }).click();
    await poll(async () => (await hostnames())[0]).toBe('db-proxy-1');
  });

  it('shows a new snapshot without reloading the page', async () => {
    const { page } = browser;
    await page.evaluate(() => Object.assign(window, { notReloaded: true }));
    current.set('batch-3', [{ remoteAddress: '10.0.2.3', remotePort: 9092, used: 99, timeWait: 5 }]);
    await hosts.get('batch-3')!.report(current.get('batch-3')!);
    await poll(async () => (await hostnames())[0]).toBe('batch-3');
    expect(await rows().first().getByTestId('pressure').textContent()).toBe('99 %');
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  });

  it('marks a host that stopped reporting as offline', async () => {
    const gone = rows().filter({ hasText: 'gone-5' });
    await poll(() => gone.getByTestId('offline-badge').count(), { timeout: 20_000 }).toBe(1);
    expect(await rows().filter({ hasText: 'db-proxy-1' }).getByTestId('offline-badge').count()).toBe(0);
  });

  it('opens a host page from the keyboard, with history, top tuples, the tuple table and advice', async () => {
    const { page } = browser;
    await rows().filter({ hasText: 'db-proxy-1' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/hosts\//);
    await poll(() => page.getByTestId('host-title').textContent()).toBe('db-proxy-1');
    // three charts, each drawn from an hour of 5-s snapshots (buckets of 4 s: one per snapshot)
    await poll(() => page.locator('.chart-box').count()).toBe(3);
    await poll(async () => Number(await page.locator('.chart-box').first().getAttribute('data-points'))).toBeGreaterThan(600);
    const legend = await page.locator('.u-legend').first().textContent();
    expect(legend).toContain('10.0.0.5:5432 from 10.0.0.1');
    expect(legend).toContain('10.0.0.9:6379 from 10.0.0.1');
    expect(await page.locator('.u-legend').nth(2).textContent()).toContain('TIME_WAIT');
    await poll(() => page.getByTestId('tuple-row').count()).toBe(2);
    expect(await page.getByTestId('tuple-row').first().textContent()).toContain('10.0.0.5:5432');
    expect(await page.getByTestId('range').textContent()).toBe('40000–40099');
    const advice = await page.getByTestId('advice').textContent();
    expect(advice).toContain('RFC 6335');
    expect(advice).toMatch(/TIME_WAIT holds/);
    expect(await page.getByTestId('host-forecast').textContent()).toMatch(/^in \d+ min$/);
    await screenshot(page, 'host', { wholePage: true });

    await page.getByRole('button', { name: '24 h' }).click();
    await page.waitForURL(/range=24h/);
    await poll(async () => Number(await page.locator('.chart-box').first().getAttribute('data-points'))).toBeLessThan(100);
  });

  it('shows the gap of an offline host on its chart', async () => {
    const { page } = browser;
    await page.goto(`${h.api.url}/hosts/${hosts.get('gone-5')!.hostId}`);
    await poll(() => page.getByTestId('host-title').textContent()).toBe('gone-5');
    expect(await page.getByTestId('offline-badge').count()).toBe(1);
    await poll(async () => Number(await page.locator('.chart-box').first().getAttribute('data-gaps'))).toBe(1);
  });

  it('renders the dark theme', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: /^Theme/ }).click(); // auto → light
    await page.getByRole('button', { name: /^Theme/ }).click(); // light → dark
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.goto(`${h.api.url}/hosts/${hosts.get('db-proxy-1')!.hostId}`);
    await poll(() => page.locator('.chart-box').count()).toBe(3);
    await screenshot(page, 'host-dark', { wholePage: true });
    await page.goto(h.api.url);
    await poll(() => rows().count()).toBe(6);
    await screenshot(page, 'fleet-dark');
  });

  it('signs out, after which the API refuses the old session', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);
    const status = await page.evaluate(async () => (await fetch('/api/fleet')).status);
    expect(status).toBe(401);
  });
});

describe.skipIf(lacks('web UI without hosts', 'chromium'))('web UI of a fleet without hosts', () => {
  const browser = useBrowser({ colorScheme: 'dark' });
  const h = useApiHarness();

  it('tells a new user how to add a host', async () => {
    const { page } = browser;
    await page.goto(h.api.url);
    await page.getByLabel('Password').fill(TEST_ADMIN_PASSWORD);
    await page.getByLabel('Password').press('Enter');
    await poll(() => page.getByRole('heading', { name: 'No hosts yet' }).isVisible()).toBe(true);
    const command = await page.getByTestId('install-command').textContent();
    expect(command).toBe(`curl -fsSL ${h.api.url}/install.sh | sudo sh -s -- --token ${TEST_ENROLLMENT_TOKEN}`);
    await screenshot(page, 'fleet-empty');
  });
});
