import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../api/src/database/embedded-postgres.ts';
import {
  OIDC_CLIENT_ID,
  OIDC_CLIENT_SECRET,
  startIdentityProvider,
  type TestIdentityProvider,
} from '../../api/test/support/oidc-provider.ts';
import { startApiHarness, type ApiHarness } from '../../api/test/support/api-harness.ts';
import { auditEvents } from '../../api/test/support/users.ts';
import { ensureWebBuilt, launchBrowser, type Browser } from './support/browser.ts';

// Single sign-on in headless Chromium against a real OpenID Provider (oidc-provider) on loopback:
// the whole authorization code flow with PKCE through the browser, the user created with the role
// its groups map to, and a tampered state or nonce refused.

describe('single sign-on (OpenID Connect) in a real browser', () => {
  let idp: TestIdentityProvider;
  let h: ApiHarness;
  let browser: Browser;

  beforeAll(async () => {
    ensureWebBuilt();
    idp = await startIdentityProvider({ ann: ['ops', 'everyone'], bob: ['sales'], mallory: ['platform-admins'] });
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    h = await startApiHarness({
      PORT: String(port),
      PORTPRESSURE_PUBLIC_URL: origin,
      PORTPRESSURE_OIDC_ISSUER: idp.issuer,
      PORTPRESSURE_OIDC_CLIENT_ID: OIDC_CLIENT_ID,
      PORTPRESSURE_OIDC_CLIENT_SECRET: OIDC_CLIENT_SECRET,
      PORTPRESSURE_OIDC_SCOPES: 'openid profile email groups',
      PORTPRESSURE_OIDC_ROLE_MAP: 'ops=editor,platform-admins=admin',
      PORTPRESSURE_OIDC_LABEL: 'Sign in with Example ID',
    });
    idp.register(`${origin}/api/auth/oidc/callback`);
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
    await idp?.close();
  });

  /** Fills the provider's login form, then its consent page, until the browser is back at the API. */
  async function signInAtProvider(page: Page, login: string): Promise<void> {
    await page.waitForURL((u) => u.href.startsWith(idp.issuer));
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('any password');
    await page.locator('button[type="submit"]').click();
    for (let i = 0; i < 5 && page.url().startsWith(idp.issuer); i++) {
      const consent = page.getByRole('button', { name: 'Continue' });
      if (await consent.isVisible().catch(() => false)) await consent.click();
      await page.waitForLoadState('load');
    }
    await page.waitForURL((u) => u.href.startsWith(h.api.url));
  }

  async function usersNamed(name: string): Promise<Array<{ role: string; oidc_subject: string | null }>> {
    return (
      await h.db.query<{ role: string; oidc_subject: string | null }>('SELECT role, oidc_subject FROM users WHERE username = $1', [name])
    ).rows;
  }

  it('signs a new user in through the provider and gives them the role their groups map to', async () => {
    const { page } = browser;
    await page.goto(`${h.api.url}/alerts`);
    await page.getByRole('link', { name: 'Sign in with Example ID' }).click();
    await signInAtProvider(page, 'ann');
    await expect.poll(() => page.getByTestId('signed-in-user').textContent(), { timeout: 20_000 }).toContain('ann (editor)');
    const me = await page.evaluate(async () => (await fetch('/api/auth/me')).json() as Promise<{ username: string; role: string }>);
    expect(me).toMatchObject({ username: 'ann', role: 'editor' });
    expect(await usersNamed('ann')).toEqual([{ role: 'editor', oidc_subject: `${idp.issuer}/ ann` }]);
    // editors see the rule buttons, but not the users page
    await page.getByRole('link', { name: 'Alerts' }).click();
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).count()).toBe(0);
    const events = await auditEvents((path, init) => h.authedFetch(path, init), '&entityType=user');
    expect(events.map((e) => `${e.actor} ${e.action}`)).toContain('ann sso-create');
  });

  it('signs the same person in again as the same user', async () => {
    const { page, context } = browser;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in with Example ID' }).click();
    // the provider still knows ann: it may skip its forms
    if (page.url().startsWith(idp.issuer) && (await page.locator('input[name="login"]').count()) > 0) await signInAtProvider(page, 'ann');
    await expect.poll(() => page.getByTestId('signed-in-user').textContent(), { timeout: 20_000 }).toContain('ann (editor)');
    expect(await usersNamed('ann')).toHaveLength(1);
    await context.clearCookies();
  });

  /**
   * Starts a sign-in as the browser would (the API's redirect and its browser-binding cookie),
   * lets `tamper` change the authorization request, and sends the browser there.
   */
  async function startTamperedSignIn(page: Page, tamper: (url: URL) => void): Promise<void> {
    const res = await fetch(`${h.api.url}/api/auth/oidc/login`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('portpressure_oidc='))!;
    const value = cookie.split(';')[0]!.split('=')[1]!;
    await browser.context.addCookies([
      { name: 'portpressure_oidc', value, url: `${h.api.url}/api/auth/oidc/`, httpOnly: true, sameSite: 'Lax' },
    ]);
    const authorization = new URL(res.headers.get('location')!);
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    tamper(authorization);
    await page.goto(authorization.href);
  }

  it('refuses a callback whose state was tampered with, and creates no user', async () => {
    const { page, context } = browser;
    await context.clearCookies();
    await startTamperedSignIn(page, (url) => url.searchParams.set('state', `${url.searchParams.get('state')}x`));
    await signInAtProvider(page, 'mallory');
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 20_000 }).toContain('unknown, used or expired');
    expect(await page.evaluate(async () => (await fetch('/api/auth/me')).status)).toBe(401);
    expect(await usersNamed('mallory')).toEqual([]);
  });

  it('refuses an ID token whose nonce is not the one this sign-in sent', async () => {
    const { page, context } = browser;
    await context.clearCookies();
    await startTamperedSignIn(page, (url) => url.searchParams.set('nonce', 'a-nonce-chosen-by-an-attacker'));
    await signInAtProvider(page, 'mallory');
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 20_000 }).toMatch(/nonce/i);
    expect(await page.evaluate(async () => (await fetch('/api/auth/me')).status)).toBe(401);
    expect(await usersNamed('mallory')).toEqual([]);
  });

  it('refuses a callback in a browser that did not start the sign-in', async () => {
    const { page, context } = browser;
    await context.clearCookies();
    await startTamperedSignIn(page, () => undefined);
    await context.clearCookies({ name: 'portpressure_oidc' });
    await signInAtProvider(page, 'mallory');
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 20_000 }).toContain('another browser');
    expect(await usersNamed('mallory')).toEqual([]);
  });

  it('gives the default role to people in no mapped group', async () => {
    const { page, context } = browser;
    await context.clearCookies();
    await page.goto(`${h.api.url}/login`);
    await page.getByRole('link', { name: 'Sign in with Example ID' }).click();
    await signInAtProvider(page, 'bob');
    await expect.poll(() => page.getByTestId('signed-in-user').textContent(), { timeout: 20_000 }).toContain('bob (viewer)');
  });
});
