import { beforeAll, describe, expect, it } from 'vitest';
import { aDiagnostics } from '../../../packages/protocol/src/test-factories.ts';
import { connectEnrolled, isAck, useApiHarness } from '../../api/test/support/api-harness.ts';
import { aHello, aReport, aSnapshot } from '../../api/test/support/factories.ts';
import { openSignedIn, screenshot, useBrowser } from './support/browser.ts';
import { seedHost } from './support/seed-hosts.ts';

/** Issue #15: the host page's Diagnosis panel, in headless Chromium, with reports sent through the real ingest path. */
describe('the Diagnosis panel of the host page', () => {
  const browser = useBrowser();
  const h = useApiHarness();
  let diagnosedId: string;
  let plainId: string;

  beforeAll(async () => {
    const { agent, host } = await connectEnrolled(h.api.url, aHello('diagnosed-web'));
    agent.send(aSnapshot(1, { ...aReport({ used: 50 }), diagnostics: aDiagnostics({ kernel: [{ name: 'TWRecycled', delta: 17 }] }) }));
    await agent.waitFor(isAck(1));
    agent.close();
    diagnosedId = host.hostId;
    const plain = await seedHost(h.api.url, 'undiagnosed-web', { env: 'test' });
    await plain.report([{ remoteAddress: '10.0.0.5', remotePort: 443, used: 20 }]);
    plain.agent.close();
    plainId = plain.hostId;
    await openSignedIn(browser.page, `${h.api.url}/login`);
  });

  it('shows processes, churn, TIME_WAIT share, verdict and advice per tuple, conntrack, SNAT and kernel evidence', async () => {
    const { page } = browser;
    await page.goto(`${h.api.url}/hosts/${diagnosedId}`);
    const panel = page.getByTestId('diagnosis-panel');
    await expect.poll(() => panel.getByTestId('diagnosis-tuple').count(), { timeout: 15_000 }).toBe(1);
    const tuple = panel.getByTestId('diagnosis-tuple');
    expect(await tuple.locator('h3').textContent()).toBe('127.0.0.1:5000 from 127.0.0.1');
    expect(await tuple.getByTestId('churn').textContent()).toBe('12.5/s new12/s into TIME_WAIT90 % TIME_WAIT');
    expect(await tuple.getByTestId('verdict').textContent()).toBe(
      'churn without poolingchurn without pooling: 12.5 new connections/s, 90 % TIME_WAITreuse connections: a pool or HTTP keep-alive',
    );
    const cells = await tuple.getByTestId('process-row').locator('td').allTextContents();
    expect(cells).toEqual(['4242', 'client', 'app', 'host', '50']);
    expect(await panel.getByTestId('conntrack').textContent()).toContain('120 of 262,144');
    expect(await panel.getByTestId('conntrack').textContent()).toContain('insert failed +0');
    const pool = await panel.getByTestId('snat-pool').locator('td').allTextContents();
    expect(pool.slice(0, 3)).toEqual(['10.0.1.2:5000', '10.0.0.1', '30 of 100']);
    expect(await panel.getByTestId('kernel-evidence').textContent()).toBe('TWRecycled +17 · the kernel is already recycling');
    await screenshot(page, 'diagnosis-panel', { wholePage: true });
  });

  it('says so when a host never sent a diagnosis', async () => {
    const { page } = browser;
    await page.goto(`${h.api.url}/hosts/${plainId}`);
    await expect
      .poll(() => page.getByTestId('no-diagnosis').textContent(), { timeout: 15_000 })
      .toBe("This host's agent has sent no diagnosis yet (agents before diagnosis send none).");
    expect(await page.getByTestId('diagnosis-tuple').count()).toBe(0);
  });
});
