import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AGENT_ENV, AGENT_NODE_FLAGS } from '../apps/agent/src/node-flags.ts';

const probe = fileURLToPath(new URL('./node-floor.cjs', import.meta.url));

function run(...args: string[]) {
  return spawnSync(process.execPath, [...AGENT_NODE_FLAGS, '--allow-natives-syntax', probe, ...args], {
    env: { ...process.env, ...AGENT_ENV },
    encoding: 'utf8',
  });
}

describe('node-floor.cjs, the probe bench:agent reads Node’s own floor with', () => {
  it('prints its peak RSS after loading the modules it is given', () => {
    const out = run('modules', 'node:net', 'node:child_process');
    expect(out.status, out.stderr).toBe(0);
    const probed = JSON.parse(out.stdout);
    expect(probed.optimized).toBe(false);
    for (const field of ['vmHwmKb', 'rssFileKb', 'rssAnonKb']) expect(probed[field]).toBeGreaterThan(1024);
  });

  it('has TurboFan compile its loop in the optimized mode, or the floor it prints would miss the compiler', () => {
    const out = run('optimized', 'node:net');
    expect(out.status, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout).optimized).toBe(true);
  });

  it('refuses an unknown mode and a module that does not exist', () => {
    const wrong = run('everything');
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('usage: node-floor.cjs');
    expect(run('modules', 'node:no-such-module').status).not.toBe(0);
  });
});
