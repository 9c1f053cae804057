import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's chromium, which the browser tests drive through playwright-core. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

type Need = 'root' | 'chromium' | 'prometheus' | 'docker-compose';

function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const MISSING: Record<Need, () => string | undefined> = {
  root: () => (process.getuid?.() === 0 ? undefined : 'needs root to create network namespaces (run as root, as CI does)'),
  chromium: () => (existsSync(CHROMIUM_PATH) ? undefined : `needs Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`),
  prometheus: () =>
    hasCommand('prometheus') && hasCommand('promtool') ? undefined : 'needs Prometheus and promtool (apt-get install prometheus)',
  'docker-compose': () =>
    hasCommand('docker-compose') ? undefined : 'needs docker-compose to render docker-compose.yml (apt-get install docker-compose)',
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
