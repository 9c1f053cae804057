import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentLink } from '../../agent/src/link/agent-link.ts';
import { CredentialStore } from '../../agent/src/link/credential-store.ts';
import { Spool } from '../../agent/src/link/spool.ts';
import { startApiHarness, TEST_ENROLLMENT_TOKEN, type ApiHarness } from './support/api-harness.ts';
import { aHello, aReport, aTuple } from './support/factories.ts';
import { waitUntil } from '../../../test/support/wait.ts';

/**
 * Issue #17 row 5 with the real agent link (spool on disk, credential store, pacing) against the
 * real API: over its byte budget the API says OVERLOADED (close 4503); the agent waits at least
 * its overload back-off before reconnecting, resends from its spool, and nothing is lost.
 */
const OVERLOAD_BACKOFF_MS = 1500;

describe('the agent honours OVERLOADED', () => {
  let h: ApiHarness;
  let dir: string;
  beforeAll(async () => {
    h = await startApiHarness({ PORTPRESSURE_AGENT_BYTES_PER_SECOND: '262144' });
    dir = await mkdtemp(path.join(os.tmpdir(), 'portpressure-backoff-'));
  });
  afterAll(async () => {
    await h?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('backs off for at least its overload wait, then delivers every spooled snapshot', async () => {
    const logs: { at: number; text: string }[] = [];
    const connects: number[] = [];
    const spool = Spool.open(path.join(dir, 'spool'), 1000);
    const link = new AgentLink({
      serverUrl: h.api.url,
      identity: aHello('heavy-real-agent').host,
      agentVersion: 'test',
      spool,
      credentials: new CredentialStore(dir),
      enrollmentToken: TEST_ENROLLMENT_TOKEN,
      lastSeq: 0,
      backoffBaseMs: 10,
      backoffCapMs: 50,
      overloadBackoffMs: OVERLOAD_BACKOFF_MS,
      log: (text) => {
        logs.push({ at: Date.now(), text });
        if (text.startsWith('connected as host')) connects.push(Date.now());
      },
    });
    // 16 snapshots of ~200 KB: more than the 2 MiB burst of a 256 KiB/s budget.
    const big = aReport({ tuples: Array.from({ length: 1000 }, (_, i) => aTuple({ remotePort: 1000 + i, used: 50 - (i % 40) })) });
    for (let i = 0; i < 16; i++) link.submit(big, Date.now() - 16_000 + i * 1000);
    link.start();
    try {
      await waitUntil('every snapshot acknowledged', () => link.acked === 16, 50_000).catch((e: unknown) => {
        throw new Error(`${String(e)}; acked ${link.acked}; log:\n${logs.map((l) => l.text).join('\n')}`);
      });
      const overloaded = logs.find((l) => /disconnected \(4503/.test(l.text));
      expect(overloaded, logs.map((l) => l.text).join('\n')).toBeDefined();
      // The first connection after the overload came no sooner than the overload back-off.
      const next = connects.find((t) => t > overloaded!.at);
      expect(next).toBeDefined();
      expect(next! - overloaded!.at).toBeGreaterThanOrEqual(OVERLOAD_BACKOFF_MS - 50);
      const { rows } = await h.db.query<{ n: string }>(
        "SELECT count(*) AS n FROM snapshots s JOIN hosts h ON h.id = s.host_id WHERE h.hostname = 'heavy-real-agent'",
      );
      expect(rows[0]?.n).toBe('16');
      expect(spool.size).toBe(0);
    } finally {
      await link.stop();
    }
  });
});
