import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { lacks } from '../../../../test/support/requirements.ts';
import { REPO_ROOT } from '../../src/config/config.ts';
import { ServiceMetrics } from '../../src/metrics/service-metrics.ts';

const run = promisify(execFile);
const doc = readFileSync(path.join(REPO_ROOT, 'docs/prometheus.md'), 'utf8');

describe('docs/prometheus.md', () => {
  it.skipIf(lacks('promtool check rules', 'prometheus'))('gives alerting rules that promtool accepts', async () => {
    const rules = /```yaml\n(groups:[\s\S]*?)```/.exec(doc)?.[1];
    expect(rules).toBeDefined();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'portpressure-rules-'));
    try {
      await writeFile(path.join(dir, 'rules.yml'), rules!);
      const { stdout } = await run('promtool', ['check', 'rules', path.join(dir, 'rules.yml')]);
      expect(stdout).toMatch(/SUCCESS: 7 rules found/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("documents every one of the service's own metrics", async () => {
    const names = (await new ServiceMetrics().registry.getMetricsAsJSON()).map((m) => m.name).filter((n) => n.startsWith('portpressure_'));
    expect(names.length).toBeGreaterThan(5);
    expect(names.filter((n) => !doc.includes(`\`${n}`))).toEqual([]);
  });
});
