import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildAgent } from '../../../scripts/build-agent.ts';

/** `npm run build:agent` into a folder of the test's own (parallel test files never share one). */
export async function buildAgentForTest(): Promise<{ dir: string; remove(): void }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pp-agent-build-'));
  await buildAgent({ outDir: dir });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
