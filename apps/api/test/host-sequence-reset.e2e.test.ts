import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { hostHistorySchema, hostSequenceResetSchema } from '@portpressure/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentLink } from '../../agent/src/link/agent-link.ts';
import { CredentialStore } from '../../agent/src/link/credential-store.ts';
import { Spool } from '../../agent/src/link/spool.ts';
import { waitUntil } from '../../../test/support/wait.ts';
import { AgentClient, isAck, isError, isWelcome, startApiHarness, TEST_ENROLLMENT_TOKEN, type ApiHarness } from './support/api-harness.ts';
import { aHello, aReport, aSnapshot } from './support/factories.ts';
import { auditEvents } from './support/users.ts';

/**
 * Issue #17 row 3, the reset: a host whose last_seq was poisoned before sequence jumps were bounded
 * (2^53−1 stored, so every agent is told to continue after a number no snapshot can carry) is
 * recovered by an admin's reset or by re-enrolling it, with the real agent link (spool on disk,
 * credential store), without losing the history stored so far.
 */
const POISON = Number.MAX_SAFE_INTEGER;

/** The API's answer to a snapshot numbered after 2^53−1: no number is left for it. */
const tooBig = (log: string) => /refused .*INVALID_FRAME.*seq: Too big/.test(log);

interface RealAgent {
  link: AgentLink;
  dir: string;
  logs: string[];
  seq: () => number;
}

function startAgent(h: ApiHarness, dir: string, hostname: string, lastSeq = 0): RealAgent {
  const logs: string[] = [];
  let seq = lastSeq;
  const link = new AgentLink({
    serverUrl: h.api.url,
    identity: aHello(hostname).host,
    agentVersion: 'test',
    spool: Spool.open(path.join(dir, 'spool'), 1000),
    credentials: new CredentialStore(dir),
    enrollmentToken: TEST_ENROLLMENT_TOKEN,
    lastSeq,
    onSeq: (s) => (seq = s),
    backoffBaseMs: 10,
    backoffCapMs: 100,
    log: (text) => logs.push(text),
  });
  link.start();
  return { link, dir, logs, seq: () => seq };
}

async function storedSeqs(h: ApiHarness, hostId: string): Promise<number[]> {
  const { rows } = await h.db.query<{ seq: string }>('SELECT seq FROM snapshots WHERE host_id = $1 ORDER BY taken_at, seq', [hostId]);
  return rows.map((r) => Number(r.seq));
}

/** Writes the rows the code before the bound wrote for a frame with seq 2^53−1: the snapshot, and last_seq raised to it. */
async function poison(h: ApiHarness, hostId: string): Promise<void> {
  await h.db.query(
    `INSERT INTO snapshots (host_id, taken_at, seq, pressure, usable, host_ports_in_use, report)
     SELECT host_id, taken_at + interval '1 second', $2, pressure, usable, host_ports_in_use, report
     FROM snapshots WHERE host_id = $1 ORDER BY taken_at DESC LIMIT 1`,
    [hostId, POISON],
  );
  await h.db.query('UPDATE hosts SET last_seq = $2 WHERE id = $1', [hostId, POISON]);
}

async function historyPoints(h: ApiHarness, hostId: string, from: number): Promise<number[]> {
  const res = await h.authedFetch(
    `/api/hosts/${hostId}/history?from=${new Date(from).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`,
  );
  expect(res.status).toBe(200);
  return hostHistorySchema.parse(await res.json()).t;
}

describe('row 3: a poisoned sequence baseline can be reset, keeping the history', () => {
  let h: ApiHarness;
  const dirs: string[] = [];
  const links: AgentLink[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'portpressure-seq-reset-'));
    dirs.push(dir);
    return dir;
  };
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(async () => {
    await Promise.all(links.map((l) => l.stop()));
    await h?.stop();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  /** A real agent that enrolled and stored three snapshots a few minutes ago; its host then poisoned. */
  async function poisonedHost(hostname: string): Promise<{ agent: RealAgent; hostId: string; first: number }> {
    const agent = startAgent(h, await tempDir(), hostname);
    links.push(agent.link);
    const first = Date.now() - 5 * 60_000;
    for (let i = 0; i < 3; i++) agent.link.submit(aReport({ used: 30 + i }), first + i * 10_000);
    await waitUntil('the first three snapshots acked', () => agent.link.acked === 3, 20_000);
    const hostId = new CredentialStore(agent.dir).load()!.hostId;
    expect(await storedSeqs(h, hostId)).toEqual([1, 2, 3]);
    await poison(h, hostId);
    return { agent, hostId, first };
  }

  /** Restarts the poisoned host's agent, which reads the poisoned baseline in its welcome and has its next snapshot refused. */
  async function restartRefused(agent: RealAgent, hostname: string): Promise<RealAgent> {
    await agent.link.stop();
    const again = startAgent(h, agent.dir, hostname, agent.seq());
    links.push(again.link);
    await waitUntil('connected', () => again.logs.some((l) => l.startsWith('connected as host')), 20_000);
    again.link.submit(aReport({ used: 95 }));
    await waitUntil('the snapshot refused', () => again.logs.some(tooBig), 20_000);
    return again;
  }

  it('reproduces the poisoning: the honest agent is told to continue after 2^53−1 and nothing it sends is stored', async () => {
    const { agent, hostId } = await poisonedHost('poisoned-only');
    const again = await restartRefused(agent, 'poisoned-only');
    expect(again.seq()).toBe(POISON + 1);
    expect(again.link.acked).toBe(0);
    expect(await storedSeqs(h, hostId)).toEqual([1, 2, 3, POISON]);
    await again.link.stop();
  });

  it('an editor/admin resets it over REST (audited): the agent stores again from a small seq, old seqs do not clash, history stays', async () => {
    const { agent, hostId, first } = await poisonedHost('reset-by-admin');
    const live = await restartRefused(agent, 'reset-by-admin');
    const connectsBefore = live.logs.filter((l) => l.startsWith('connected as host')).length;

    expect((await h.authedFetch('/api/hosts/not-a-host/sequence-reset', { method: 'POST' })).status).toBe(400);
    expect((await h.authedFetch('/api/hosts/00000000-0000-4000-8000-000000000000/sequence-reset', { method: 'POST' })).status).toBe(404);
    const res = await h.authedFetch(`/api/hosts/${hostId}/sequence-reset`, { method: 'POST' });
    expect(res.status).toBe(200);
    const reset = hostSequenceResetSchema.parse(await res.json());
    expect(reset).toMatchObject({ hostId, previousLastSeq: POISON, connectionsClosed: 1 });
    const cookie = await h.login();
    const fetcher = (p: string, init?: RequestInit) =>
      fetch(h.api.url + p, { ...init, headers: { ...(init?.headers as Record<string, string>), cookie } });
    const events = await auditEvents(fetcher, '&entityType=host');
    expect(events.some((e) => e.action === 'reset-sequence' && e.entityId === hostId)).toBe(true);

    // The connection was asked to reconnect; its welcome now says 0 and the agent numbers after it.
    await waitUntil('reconnected', () => live.logs.filter((l) => l.startsWith('connected as host')).length > connectsBefore, 20_000);
    for (let i = 0; i < 3; i++) live.link.submit(aReport({ used: 60 + i }));
    await waitUntil('three new snapshots acked', () => live.link.acked === 3, 20_000).catch((e: unknown) => {
      throw new Error(`${String(e)}\n${live.logs.join('\n')}`);
    });
    expect(live.seq()).toBe(3);
    const seqs = await storedSeqs(h, hostId);
    // seqs 1–3 twice: the old numbering's (kept) and the new one's (not taken for resends of the old).
    expect(seqs).toEqual([1, 2, 3, POISON, 1, 2, 3]);
    const { rows } = await h.db.query<{ last_seq: string }>('SELECT last_seq FROM hosts WHERE id = $1', [hostId]);
    expect(rows[0]?.last_seq).toBe('3');
    const t = await historyPoints(h, hostId, first - 60_000);
    expect(t[0]).toBeLessThanOrEqual(first);
    expect(t.at(-1)).toBeGreaterThan(Date.now() - 120_000);
    await live.link.stop();

    // An existing agent goes on with its own numbering; the clash check still guards the new numbering.
    const credential = new CredentialStore(agent.dir).load()!.credential;
    const client = await AgentClient.connect(h.api.url, { credential });
    client.send(aHello('reset-by-admin'));
    expect((await client.waitFor(isWelcome)).lastSeq).toBe(3);
    const takenAt = new Date();
    client.send(aSnapshot(4, aReport({ used: 40 }), takenAt));
    await client.waitFor(isAck(4));
    client.send(aSnapshot(4, aReport({ used: 40 }), takenAt));
    await waitUntil('the resend acked again', () => client.messages.filter(isAck(4)).length === 2, 10_000);
    client.send(aSnapshot(2, aReport({ used: 70 }), new Date(takenAt.getTime() + 1000)));
    expect(await client.waitForClose()).toBe(4411);
    expect(client.messages.filter(isError).at(-1)).toMatchObject({ code: 'SEQ_CONFLICT', seq: 2 });
    expect(await storedSeqs(h, hostId)).toEqual([1, 2, 3, POISON, 1, 2, 3, 4]);
  });

  it('re-enrolling the identity after its credential was revoked resets it too: a fresh state folder stores from seq 1', async () => {
    const { agent, hostId, first } = await poisonedHost('reset-by-enrollment');
    await agent.link.stop();
    expect((await h.authedFetch(`/api/hosts/${hostId}/credential`, { method: 'DELETE' })).status).toBe(200);

    const fresh = startAgent(h, await tempDir(), 'reset-by-enrollment');
    links.push(fresh.link);
    for (let i = 0; i < 3; i++) fresh.link.submit(aReport({ used: 50 + i }));
    await waitUntil('three snapshots acked after re-enrolling', () => fresh.link.acked === 3, 20_000);
    expect(new CredentialStore(fresh.dir).load()!.hostId).toBe(hostId);
    expect(fresh.link.refused).toBe(0);
    expect(await storedSeqs(h, hostId)).toEqual([1, 2, 3, POISON, 1, 2, 3]);
    const t = await historyPoints(h, hostId, first - 60_000);
    expect(t[0]).toBeLessThanOrEqual(first);
    expect(t.at(-1)).toBeGreaterThan(Date.now() - 120_000);
    await fresh.link.stop();
  });
});
