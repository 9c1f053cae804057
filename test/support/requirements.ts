import { existsSync } from 'node:fs';

/** Debian's chromium, which the browser tests drive through playwright-core. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

type Need = 'root' | 'chromium';

const MISSING: Record<Need, () => string | undefined> = {
  root: () => (process.getuid?.() === 0 ? undefined : 'needs root to create network namespaces (run as root, as CI does)'),
  chromium: () => (existsSync(CHROMIUM_PATH) ? undefined : `needs Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`),
};

/**
 * For `describe.skipIf(lacks('root'))(…)`: true when this machine lacks something the suite needs,
 * after saying so. On CI (CI set) it is always false: CI must run every tier, and a missing
 * requirement there is a failure, not a skip.
 */
export function lacks(suite: string, ...needs: Need[]): boolean {
  const missing = needs.map((n) => MISSING[n]()).filter((m): m is string => m !== undefined);
  if (missing.length === 0 || process.env.CI) return false;
  console.warn(`skipping "${suite}": it ${missing.join('; it ')}`);
  return true;
}
