import { mkdtempSync, rmSync } from 'node:fs';
import { HOST_CREDENTIAL_PREFIX } from '@portpressure/protocol';
import os from 'node:os';
import path from 'node:path';
import { aHello, aSnapshot } from '../../api/test/support/factories.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectEnrolled,
  enrollHost,
  startApiHarness,
  TEST_ADMIN_PASSWORD,
  TEST_ENROLLMENT_TOKEN,
  type AgentClient,
  type ApiHarness,
} from '../../api/test/support/api-harness.ts';
import { ensureWebBuilt, launchBrowser, screenshot, type Browser } from './support/browser.ts';

function poll<T>(fn: () => T | Promise<T>) {
  return expect.poll(fn, { timeout: 15_000, interval: 100 });
}

describe('the "Add hosts" panel in headless Chromium against the real API', () => {
  let h: ApiHarness;
  let browser: Browser;
  let oldAgent: AgentClient;
  let oldHostId: string;
  // An empty build folder: this server has not built the agent, and the panel must say so.
  const distDir = mkdtempSync(path.join(os.tmpdir(), 'pp-empty-dist-'));

  beforeAll(async () => {
    ensureWebBuilt();
    h = await startApiHarness({ PORTPRESSURE_AGENT_DIST_DIR: distDir });
    const hello = { ...aHello('old-agent'), agentVersion: '0.0.9' };
    const connected = await connectEnrolled(h.api.url, hello);
    oldAgent = connected.agent;
    oldHostId = connected.host.hostId;
    oldAgent.send(aSnapshot(1));
    browser = await launchBrowser();
    const { page } = browser;
    await page.goto(`${h.api.url}/add-hosts`);
    await page.getByLabel('Password').fill(TEST_ADMIN_PASSWORD);
    await page.getByLabel('Password').press('Enter');
  }, 180_000);

  afterAll(async () => {
    oldAgent?.close();
    await browser?.close();
    await h?.stop();
    rmSync(distDir, { recursive: true, force: true });
  });

  it("shows the one-line command with this server's URL and enrollment token, and the labels typed", async () => {
    const { page } = browser;
    const command = page.getByTestId('install-command');
    await poll(() => command.textContent()).toBe(`curl -fsSL ${h.api.url}/install.sh | sudo sh -s -- --token ${TEST_ENROLLMENT_TOKEN}`);
    await page.getByLabel('Labels (optional)').fill('env=prod, team=web');
    await poll(() => command.textContent()).toBe(
      `curl -fsSL ${h.api.url}/install.sh | sudo sh -s -- --token ${TEST_ENROLLMENT_TOKEN} --label env=prod --label team=web`,
    );
    await page.getByLabel('Labels (optional)').fill('env=prod oops');
    await poll(() => page.getByText('"oops" is not key=value').isVisible()).toBe(true);
    // This server has no agent build: the panel says so instead of offering a command that fails.
    expect(await page.getByRole('alert').textContent()).toContain('npm run build:agent');
    await page.getByLabel('Labels (optional)').fill('env=browser');
    await screenshot(page, 'add-hosts');
  });

  it('shows a token that enrolls a host', async () => {
    const text = (await browser.page.getByTestId('install-command').textContent()) ?? '';
    const token = /--token (\S+)/.exec(text)?.[1];
    expect(token).toBeDefined();
    const enrolled = await enrollHost(h.api.url, aHello('from-panel'), token);
    expect(enrolled.credential.startsWith(HOST_CREDENTIAL_PREFIX)).toBe(true);
    // and a wrong one does not: the token shown is what decides
    await expect(enrollHost(h.api.url, aHello('wrong-token'), `${token}x`)).rejects.toThrow();
  });

  it('flags a host whose agent is older than the server, in the fleet and on its page', async () => {
    const { page } = browser;
    await page.goto(h.api.url);
    const row = page.locator('[data-testid=host-row]', { hasText: 'old-agent' });
    await poll(() => row.getByTestId('outdated-badge').textContent()).toBe('agent 0.0.9');
    const fresh = page.locator('[data-testid=host-row]', { hasText: 'from-panel' });
    await poll(() => fresh.count()).toBe(1);
    expect(await fresh.getByTestId('outdated-badge').count()).toBe(0);
    await page.goto(`${h.api.url}/hosts/${oldHostId}`);
    await poll(() => page.getByTestId('outdated-badge').textContent()).toBe('agent 0.0.9: upgrade');
    await page.getByTestId('outdated-badge').click();
    await page.waitForURL(/\/add-hosts$/);
  });
});
