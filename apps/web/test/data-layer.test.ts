import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../../api/test/support/api-harness.ts';
import { lacks } from '../../../test/support/requirements.ts';
import { ensureWebBuilt, launchBrowser, openSignedIn, type Browser } from './support/browser.ts';

// The web's data layer (TanStack Query) in headless Chromium against the real API: a polled page
// polls while the tab is visible, stops while it is hidden, and catches up when it is shown again.
// The page's clock is Playwright's, so "no request while hidden" is proved by running 30 s of the
// page's timers at once, not by sleeping.

describe.skipIf(lacks('web data layer', 'chromium'))('web data layer in headless Chromium', () => {
  let h: ApiHarness;
  let browser: Browser;
  let polls = 0;

  beforeAll(async () => {
    ensureWebBuilt();
    h = await startApiHarness();
    browser = await launchBrowser();
    const { page } = browser;
    await page.clock.install();
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/alerts/incidents') polls += 1;
    });
    await openSignedIn(page, `${h.api.url}/alerts`);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  async function setHidden(hidden: boolean): Promise<void> {
    await browser.page.evaluate((value) => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (value ? 'hidden' : 'visible') });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => value });
      document.dispatchEvent(new Event('visibilitychange'));
    }, hidden);
  }

  it('polls the incidents every 5 s while visible, not at all while hidden, and catches up when shown', async () => {
    const { page } = browser;
    await expect.poll(() => polls, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);

    const visibleStart = polls;
    const next = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/alerts/incidents');
    await page.clock.runFor(5_500);
    await next;
    expect(polls).toBeGreaterThan(visibleStart);

    await setHidden(true);
    await page.waitForLoadState('networkidle');
    const hiddenStart = polls;
    await page.clock.runFor(30_000);
    await page.waitForLoadState('networkidle');
    expect(polls, 'requests while the tab was hidden').toBe(hiddenStart);

    const caughtUp = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/alerts/incidents');
    await setHidden(false);
    await page.clock.runFor(5_500);
    await caughtUp;
    expect(polls).toBeGreaterThan(hiddenStart);
  });
});
