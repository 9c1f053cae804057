import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { CHROMIUM_PATH } from '../../../../test/support/requirements.ts';
import { suiteValue } from '../../../../test/support/suite-value.ts';
import { TEST_ADMIN_PASSWORD } from '../../../api/test/support/test-admin.ts';

export const WEB_ROOT = path.resolve(import.meta.dirname, '../..');
export const REPO_ROOT = path.resolve(WEB_ROOT, '../..');
/** Screenshots of test runs (gitignored). */
export const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');

/** Debian's chromium, driven by playwright-core (its own browser downloads are not available here). */
export const CHROMIUM = CHROMIUM_PATH;
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * The browser tests drive the built UI the API serves. `npm test` builds it first; when the
 * build is missing or older than the sources (a test run on its own), it is rebuilt here.
 */
export function ensureWebBuilt(): void {
  const index = path.join(WEB_ROOT, 'dist/index.html');
  const sources = Math.max(newestMtime(path.join(WEB_ROOT, 'src')), newestMtime(path.join(REPO_ROOT, 'packages/protocol/src')));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: WEB_ROOT,
    stdio: 'inherit',
  });
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/**
 * Opens `url` signed out (the app shows its sign-in page), signs in as the admin and waits until
 * the app has left the sign-in page: at `url`, or at / when `url` was the sign-in page itself.
 */
export async function openSignedIn(page: Page, url: string, password = TEST_ADMIN_PASSWORD): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

/**
 * The built UI and a headless Chromium for the tests of the enclosing `describe`: built if need be
 * and launched before them, closed after them. Call it in the describe's body, before
 * useApiHarness (the API serves the build), and use what it returns inside the tests and hooks.
 */
export function useBrowser(options: BrowserOptions = {}): Browser {
  return suiteValue(
    () => {
      ensureWebBuilt();
      return launchBrowser(options);
    },
    (browser) => browser.close(),
  );
}

export interface BrowserOptions {
  width?: number;
  height?: number;
  colorScheme?: 'light' | 'dark';
}

/** Headless Chromium with a fresh profile, so no cookie or storage leaks between runs. */
export async function launchBrowser(options: BrowserOptions = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  const profile = await mkdtemp(path.join(os.tmpdir(), 'portpressure-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: options.width ?? 1440, height: options.height ?? 900 },
    colorScheme: options.colorScheme ?? 'light',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Saves test-artifacts/<name>.png. `wholePage` grows the viewport to the page's content first:
 * the app scrolls inside <main>, which a plain full-page screenshot would cut off.
 */
export async function screenshot(page: Page, name: string, options: { wholePage?: boolean } = {}): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  const viewport = page.viewportSize();
  if (options.wholePage && viewport) {
    const height = await page.evaluate(() => {
      const main = document.querySelector('main');
      return (main ? main.scrollHeight + main.getBoundingClientRect().top : document.body.scrollHeight) + 2;
    });
    await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, Math.ceil(height)) });
    await page.waitForTimeout(300); // charts follow their container's size
  }
  await page.screenshot({ path: file });
  if (options.wholePage && viewport) await page.setViewportSize(viewport);
  return file;
}

/** Signs in through the sign-in page with a user name and password, and waits until the app shows the user. */
export async function signInWith(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect
    .poll(() =>
      page
        .getByTestId('signed-in-user')
        .textContent()
        .catch(() => ''),
    )
    .toContain(username);
}
