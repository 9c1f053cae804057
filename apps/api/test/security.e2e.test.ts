import { createHash } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { credentialRevokedSchema, PROTOCOL_VERSION, PROTOCOL_VERSION_HEADER } from '@portpressure/protocol';
import { describe, expect, it } from 'vitest';
import {
  AgentClient,
  connectEnrolled,
  enrollHost,
  hostSummaryOf,
  isAck,
  isError,
  isWelcome,
  useApiHarness,
  UpgradeRefused,
  type ApiHarness,
} from './support/api-harness.ts';
import { aHello, aReport, aSnapshot } from './support/factories.ts';

/** Row counts that no refused agent may change. */
async function counts(h: ApiHarness): Promise<{ hosts: number; snapshots: number; tuples: number; credentials: number }> {
  const { rows } = await h.db.query<{ hosts: string; snapshots: string; tuples: string; credentials: string }>(
    `SELECT (SELECT count(*) FROM hosts) AS hosts, (SELECT count(*) FROM snapshots) AS snapshots,
            (SELECT count(*) FROM host_tuples) AS tuples, (SELECT count(*) FROM host_credentials) AS credentials`,
  );
  const r = rows[0]!;
  return { hosts: Number(r.hosts), snapshots: Number(r.snapshots), tuples: Number(r.tuples), credentials: Number(r.credentials) };
}

async function refused(h: ApiHarness, auth: Parameters<typeof AgentClient.attempt>[1]): Promise<UpgradeRefused> {
  const outcome = await AgentClient.attempt(h.api.url, auth);
  if (!(outcome instanceof UpgradeRefused)) {
    // It must not get this far; if it does, show that it could also write.
    outcome.send(aHello('intruder'));
    outcome.send(aSnapshot(1));
    throw new Error('the upgrade was accepted');
  }
  return outcome;
}

const aCredentialShapedSecret = () => `ppc_${randomBytes(32).toString('base64url')}`;

describe('agent credentials: who may write, checked before the WebSocket upgrade', () => {
  const h = useApiHarness();

  it('refuses an agent without any credential with HTTP 401, and stores nothing', async () => {
    const before = await counts(h);
    const r = await refused(h, {});
    expect(r.status).toBe(401);
    expect(r.body).toMatch(/no credential/);
    expect(await counts(h)).toEqual(before);
  });

  it('refuses a wrong credential, a malformed one and a wrong enrollment token, and stores nothing', async () => {
    await enrollHost(h.api.url, aHello('known-host')); // there is a real credential to guess against
    const before = await counts(h);
    const wrong = await refused(h, { credential: aCredentialShapedSecret() });
    expect([wrong.status, wrong.body]).toEqual([401, 'credential refused: unknown credential']);
    const malformed = await refused(h, { credential: 'letmein' });
    expect([malformed.status, malformed.body]).toEqual([401, 'credential refused: not a Portpressure host credential']);
    const notBearer = await refused(h, { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } });
    expect(notBearer.status).toBe(401);
    const badToken = await refused(h, { enrollmentToken: 'not-the-enrollment-token' });
    expect([badToken.status, badToken.body]).toEqual([401, 'enrollment token refused']);
    expect(await counts(h)).toEqual(before);
  });

  it('refuses a protocol version from the future before the upgrade', async () => {
    const { credential } = await enrollHost(h.api.url, aHello('future-host'));
    const r = await refused(h, { credential, headers: { [PROTOCOL_VERSION_HEADER]: String(PROTOCOL_VERSION + 1) } });
    expect(r.status).toBe(426);
    expect(r.body).toMatch(/newer than this server/);
  });

  it('revokes a credential: the live connection ends, reconnecting is refused, nothing more is stored', async () => {
    const { agent, host } = await connectEnrolled(h.api.url, aHello('revoked-host'));
    agent.send(aSnapshot(1, aReport({ used: 10 })));
    await agent.waitFor(isAck(1));

    const res = await h.authedFetch(`/api/hosts/${host.hostId}/credential`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(credentialRevokedSchema.parse(await res.json())).toEqual({ hostId: host.hostId, revoked: 1 });
    expect(await agent.waitForClose()).toBe(4401);
    expect(agent.messages.find(isError)).toMatchObject({ code: 'UNAUTHORIZED', message: 'credential revoked' });

    const before = await counts(h);
    const again = await refused(h, { credential: host.credential });
    expect([again.status, again.body]).toEqual([401, 'credential refused: it was revoked; enroll the host again']);
    expect(await counts(h)).toEqual(before);
    expect(await hostSummaryOf(h, host.hostId)).toMatchObject({ credentialActive: false });

    // Revoking needs a signed-in user like the rest of the REST API, and names unknown hosts plainly.
    expect((await fetch(`${h.api.url}/api/hosts/${host.hostId}/credential`, { method: 'DELETE' })).status).toBe(401);
    const missing = await h.authedFetch('/api/hosts/00000000-0000-4000-8000-000000000000/credential', { method: 'DELETE' });
    expect(missing.status).toBe(404);
  });

  it("refuses a hello naming another identity than the credential's host, and stores nothing for either", async () => {
    const a = await enrollHost(h.api.url, aHello('host-a'));
    const b = await enrollHost(h.api.url, aHello('host-b'));
    const before = await counts(h);
    // host A's credential, host B's identity: a host can never write as another
    const impostor = await AgentClient.connect(h.api.url, { credential: a.credential });
    impostor.send(aHello('host-b'));
    impostor.send(aSnapshot(1));
    expect(await impostor.waitForClose()).toBe(4403);
    expect(impostor.messages.find(isError)).toMatchObject({ code: 'FORBIDDEN' });
    expect(impostor.messages.some((m) => m.type === 'welcome' || m.type === 'ack')).toBe(false);
    // …and a brand-new identity fares no better (the host is not created)
    const stranger = await AgentClient.connect(h.api.url, { credential: b.credential });
    stranger.send(aHello('host-c'));
    expect(await stranger.waitForClose()).toBe(4403);
    expect(await counts(h)).toEqual(before);
  });

  it('takes the host from the credential, never from the frame', async () => {
    const victim = await enrollHost(h.api.url, aHello('victim-host'));
    const { agent, host } = await connectEnrolled(h.api.url, aHello('writer-host'));
    // a host id smuggled into the frame is not part of the protocol and changes nothing
    agent.send({ ...aSnapshot(1, aReport({ used: 77 })), hostId: victim.hostId, host_id: victim.hostId });
    await agent.waitFor(isAck(1));
    const { rows } = await h.db.query<{ host_id: string; n: string }>(
      'SELECT host_id, count(*) AS n FROM snapshots WHERE host_id = ANY($1::uuid[]) GROUP BY host_id',
      [[victim.hostId, host.hostId]],
    );
    expect(rows).toEqual([{ host_id: host.hostId, n: '1' }]);
  });

  it('stores credentials only as SHA-256 hashes, and a re-enrollment after revocation replaces the old credential', async () => {
    const first = await enrollHost(h.api.url, aHello('rotating-host'));
    // An active credential is never replaced by the enrollment token alone (hardening.e2e tests that).
    expect((await h.authedFetch(`/api/hosts/${first.hostId}/credential`, { method: 'DELETE' })).status).toBe(200);
    const second = await enrollHost(h.api.url, aHello('rotating-host'));
    expect(second.hostId).toBe(first.hostId); // same identity, same host and history
    const { rows } = await h.db.query<{ token_hash: string; revoked: boolean }>(
      'SELECT token_hash, revoked_at IS NOT NULL AS revoked FROM host_credentials WHERE host_id = $1 ORDER BY created_at',
      [first.hostId],
    );
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    expect(rows).toEqual([
      { token_hash: sha(first.credential), revoked: true },
      { token_hash: sha(second.credential), revoked: false },
    ]);
    const dump = await h.db.query<{ t: string }>('SELECT row_to_json(c)::text AS t FROM host_credentials c');
    for (const r of dump.rows) {
      expect(r.t).not.toContain(first.credential);
      expect(r.t).not.toContain(second.credential);
    }
    expect((await refused(h, { credential: first.credential })).status).toBe(401);
    const agent = await AgentClient.connect(h.api.url, { credential: second.credential });
    agent.send(aHello('rotating-host'));
    await agent.waitFor(isWelcome);
    agent.close();
  });

  it('closes an older connection of the same host when a newer one says hello (one writer per host)', async () => {
    const { agent: older, host } = await connectEnrolled(h.api.url, aHello('twin-host'));
    const newer = await AgentClient.connect(h.api.url, { credential: host.credential });
    newer.send(aHello('twin-host'));
    await newer.waitFor(isWelcome);
    expect(await older.waitForClose()).toBe(4409);
    expect(older.messages.find(isError)).toMatchObject({ code: 'SUPERSEDED' });
    newer.send(aSnapshot(1));
    await newer.waitFor(isAck(1));
    newer.close();
  });
});
