import { createServer, type Server } from 'node:http';
import { SESSION_COOKIE } from '@portpressure/protocol';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectEnrolled, isAck, startApiHarness, TEST_ADMIN_PASSWORD, type ApiHarness } from '../../api/test/support/api-harness.ts';
import { aHello, aReport, aSnapshot } from '../../api/test/support/factories.ts';
import { ensureWebBuilt, launchBrowser, type Browser } from './support/browser.ts';

/**
 * Issue #17 rows 7 and 13 in a real browser. A page on another port of the same host is the same
 * *site*, so the admin's SameSite=Strict cookie goes along with its requests; what stops it now is
 * the API's Origin check. The UI itself (same origin, under its Content-Security-Policy) keeps
 * working, and shows a hostile host name's invisible characters as code points.
 */

/** What the attacking page reports back. */
interface AttackResult {
  liveOpened: boolean;
  liveMessages: number;
  postSent: boolean;
}

function attackPage(apiUrl: string): string {
  const ws = apiUrl.replace(/^http/, 'ws');
  return `<!doctype html><html><body><script>
    const result = { liveOpened: false, liveMessages: 0, postSent: false };
    const socket = new WebSocket(${JSON.stringify(`${ws}/ws/live`)});
    socket.onopen = () => { result.liveOpened = true; };
    socket.onmessage = () => { result.liveMessages += 1; };
    const done = () => { window.__attack = result; };
    // A no-cors POST: the browser sends it with the cookie; the page just cannot read the answer.
    fetch(${JSON.stringify(`${apiUrl}/api/auth/logout`)}, { method: 'POST', mode: 'no-cors', credentials: 'include' })
      .then(() => {}, () => {}).then(() => { result.postSent = true; })
      .finally(() => setTimeout(done, 1500));
  </script></body></html>`;
}

describe('cross-site requests from another port of the same host', () => {
  let h: ApiHarness;
  let browser: Browser;
  let evil: Server;
  let evilUrl = '';
  beforeAll(async () => {
    ensureWebBuilt();
    h = await startApiHarness();
    browser = await launchBrowser();
    evil = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(attackPage(h.api.url));
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    const address = evil.address();
    evilUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  });
  afterAll(async () => {
    await browser?.close();
    evil?.close();
    await h?.stop();
  });

  it('cannot open the live channel nor sign the admin out with the admin’s cookie', async () => {
    const { page, context } = browser;
    // The admin signs in through the UI; the cookie is now in the browser.
    await page.goto(h.api.url);
    await page.getByLabel('Password').fill(TEST_ADMIN_PASSWORD);
    await page.getByLabel('Password').press('Enter');
    await vi.waitFor(async () => expect(await context.cookies(h.api.url)).toHaveLength(1), { timeout: 15_000 });
    const cookie = (await context.cookies(h.api.url))[0]!;
    expect(cookie.name).toBe(SESSION_COOKIE);

    const attacker = await context.newPage();
    await attacker.goto(evilUrl);
    await attacker.waitForFunction(() => (window as unknown as { __attack?: unknown }).__attack !== undefined, undefined, {
      timeout: 15_000,
    });
    const result = await attacker.evaluate(() => (window as unknown as { __attack: AttackResult }).__attack);
    expect(result.postSent).toBe(true); // the request went out (its answer is unreadable to the page)…
    expect(result.liveOpened).toBe(false); // …but the live channel refused the foreign origin
    expect(result.liveMessages).toBe(0);
    // …and the session it tried to end is still signed in.
    const me = await fetch(`${h.api.url}/api/auth/me`, { headers: { cookie: `${cookie.name}=${cookie.value}` } });
    expect(me.status).toBe(200);
    await attacker.close();
  });

  it('the UI itself still works under its security headers, and shows invisible characters in host names', async () => {
    const hostile = `db\u202Eexe.cod\u200Bprod`;
    const { agent, host } = await connectEnrolled(h.api.url, aHello(hostile, 'hostilemachine000000000000000000'));
    agent.send(aSnapshot(1, aReport({ used: 40 })));
    await agent.waitFor(isAck(1));
    // The fleet ranking is refreshed asynchronously after the commit; the page loads it once.
    await vi.waitFor(async () => expect(await (await h.authedFetch('/api/fleet')).text()).toContain(host.hostId), { timeout: 15_000 });
    const { page } = browser;
    await page.goto(h.api.url);
    const row = page.getByTestId('host-row');
    await vi.waitFor(async () => expect(await row.count()).toBe(1), { timeout: 15_000 });
    const text = (await row.first().textContent()) ?? '';
    expect(text).toContain('db⟨U+202E⟩exe.cod⟨U+200B⟩prod');
    expect(text).not.toContain('\u202E');
    await row.first().click();
    await vi.waitFor(async () => expect(await page.getByTestId('host-title').textContent()).toContain('⟨U+202E⟩'), { timeout: 15_000 });
    agent.close();
  });
});
