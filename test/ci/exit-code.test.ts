import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../../apps/api/src/config/config.ts';

// CI trusts `npm test`'s exit code. With the real global setup (embedded PostgreSQL, whose exit
// hook once turned failures into exit code 0), a failing test must make vitest exit non-zero.
it('exits non-zero when a test fails, with the real global setup', () => {
  const run = spawnSync(
    process.execPath,
    [path.join(REPO_ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'test/fixtures/failing/vitest.config.ts'],
    { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, CI: '1' }, timeout: 120_000 },
  );
  expect(run.stdout + run.stderr).toMatch(/1 failed/);
  expect(run.status).toBe(1);
});
