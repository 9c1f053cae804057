import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useApiHarness } from '../../api/test/support/api-harness.ts';
import { openSignedIn, useBrowser } from './support/browser.ts';
import { seedHost, type SeededHost } from './support/seed-hosts.ts';

/** Issue #17 row 3: the host page's confirmed "Reset sequence…" button, in headless Chromium against the real API. */
describe('resetting a host sequence from its page', () => {
  const browser = useBrowser();
  const h = useApiHarness();
  let host: SeededHost;
  const baseline = async () =>
    (
      await h.db.query<{ last_seq: string; reset: boolean }>(
        'SELECT last_seq, seq_reset_at IS NOT NULL AS reset FROM hosts WHERE id = $1',
        [host.hostId],
      )
    ).rows[0];

  beforeAll(async () => {
    host = await seedHost(h.api.url, 'poisoned-box', { env: 'test' });
    await host.report([{ remoteAddress: '10.0.0.5', remotePort: 443, used: 20 }]);
    // What the code before the bound left behind after a frame with seq 2^53−1.
    await h.db.query('UPDATE hosts SET last_seq = 9007199254740991 WHERE id = $1', [host.hostId]);
    await openSignedIn(browser.page, `${h.api.url}/login`);
  });

  afterAll(() => host?.agent.close());

  it('asks first; declined changes nothing, confirmed resets the baseline and says what it was', async () => {
    const { page } = browser;
    await page.goto(`${h.api.url}/hosts/${host.hostId}`);
    await expect.poll(() => page.getByTestId('host-title').textContent(), { timeout: 15_000 }).toBe('poisoned-box');

    const dialogs: string[] = [];
    page.once('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.getByTestId('reset-sequence').click();
    await expect.poll(() => dialogs.length).toBe(1);
    expect(dialogs[0]).toContain('poisoned-box');
    expect(dialogs[0]).toContain('history stored so far is kept');
    expect(await baseline()).toEqual({ last_seq: '9007199254740991', reset: false });

    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('reset-sequence').click();
    await expect
      .poll(() => page.getByTestId('reset-sequence-outcome').textContent(), { timeout: 15_000 })
      .toBe('Sequence reset (it was at 9007199254740991).');
    expect(await baseline()).toEqual({ last_seq: '0', reset: true });
  });
});
