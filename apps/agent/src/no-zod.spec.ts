import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { buildAgent } from '../../../scripts/build-agent.ts';
import { AGENT_ENV_VARS, readAgentEnv } from './config.ts';
import { parseStoredCredential } from './link/credential-store.ts';
import { hostCredentialSchema } from '@portpressure/protocol/server-messages';

// The agent bundle (run and check alike) must not contain zod: its machinery costs the long-lived
// agent about 3.5 MB as soon as a schema is built (docs/agent-memory.md). What the agent checks is
// written out by hand and compared here (and in the protocol's agent-checks.spec.ts) with zod.

const outDir = mkdtempSync(path.join(tmpdir(), 'agent-bundle-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('the agent bundle', () => {
  it('contains no zod code', async () => {
    await buildAgent({ bundleOnly: true, outDir });
    const bundle = readFileSync(path.join(outDir, 'portpressure-agent.cjs'), 'utf8');
    expect(bundle.length).toBeGreaterThan(50_000);
    for (const marker of ['ZodError', '$ZodType', 'zod']) expect(bundle.includes(marker), marker).toBe(false);
  });
});

describe('checks of the agent agree with the zod schemas they replace', () => {
  it('the stored credential', () => {
    const schema = z.object({ hostId: z.string().min(1), credential: hostCredentialSchema, serverUrl: z.string(), enrolledAt: z.string() });
    const good = { hostId: 'h', credential: `ppc_${'a'.repeat(43)}`, serverUrl: 'http://x', enrolledAt: '2026-01-01T00:00:00Z' };
    const cases: unknown[] = [good, { ...good, extra: 1 }, null, [], 'x', 3, undefined, {}];
    for (const key of Object.keys(good)) {
      for (const bad of [undefined, null, '', 1, {}, [], 'ppc_short']) cases.push({ ...good, [key]: bad });
    }
    for (const value of cases) {
      const expected = schema.safeParse(value);
      expect(parseStoredCredential(value), JSON.stringify(value)).toEqual(expected.success ? expected.data : null);
    }
  });

  it('the environment', () => {
    const names = AGENT_ENV_VARS;
    const schema = z.object(Object.fromEntries(names.map((n) => [n, z.string().optional()])));
    const cases: Record<string, unknown>[] = [{}, { PATH: '/bin', PORTPRESSURE_SOURCE: 'proc' }, { PORTPRESSURE_LABELS: '' }];
    for (const name of names) for (const v of ['x', '', 1, null]) cases.push({ [name]: v, OTHER: 'y' });
    for (const env of cases) {
      const expected = schema.safeParse(env);
      if (expected.success) expect(readAgentEnv(env), JSON.stringify(env)).toEqual(expected.data);
      else expect(() => readAgentEnv(env), JSON.stringify(env)).toThrow(/must be a string/);
    }
  });
});
