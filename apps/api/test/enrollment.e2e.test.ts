import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startApi, type StartedApi } from '../src/app.ts';
import { loadApiConfig } from '../src/config/config.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { AgentClient, enrollHost, isWelcome, TEST_ADMIN_PASSWORD, UpgradeRefused } from './support/api-harness.ts';
import { aHello } from './support/factories.ts';

/** Starts the API with its log going to stdout, and returns what it printed while starting. */
async function startLogged(db: TestDatabase): Promise<{ api: StartedApi; log: string }> {
  const config = loadApiConfig({
    DATABASE_URL: db.url,
    PORT: '0',
    HOST: '127.0.0.1',
    PORTPRESSURE_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    PORTPRESSURE_ENROLLMENT_TOKEN: '', // empty means unset: the API generates one
    PORTPRESSURE_LOG_LEVEL: 'log',
  });
  let log = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    log += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  try {
    const api = await startApi(config);
    return { api, log };
  } finally {
    spy.mockRestore();
  }
}

describe('the enrollment token when none is configured', () => {
  let db: TestDatabase;
  const apis: StartedApi[] = [];
  afterAll(async () => {
    for (const api of apis) await api.close();
    await db?.drop();
  });

  it('is generated on first start, printed once, stored only as a hash, and enrolls agents across restarts', async () => {
    db = await createTestDatabase();
    const first = await startLogged(db);
    apis.push(first.api);
    const printed = [...first.log.matchAll(/ppe_[A-Za-z0-9_-]{43}/g)].map((m) => m[0]);
    expect(new Set(printed).size).toBe(1);
    const token = printed[0]!;

    const { rows } = await db.query<{ id: string; token_hash: string }>('SELECT id, token_hash FROM enrollment_tokens');
    expect(rows).toEqual([{ id: 'default', token_hash: createHash('sha256').update(token).digest('hex') }]);

    const host = await enrollHost(first.api.url, aHello('first-start-host'), token);
    expect(host.credential).toMatch(/^ppc_/);
    await first.api.close();
    apis.pop();

    // A restart on the same database neither prints the token again nor changes it.
    const second = await startLogged(db);
    apis.push(second.api);
    expect(second.log).not.toContain(token);
    expect(second.log).not.toMatch(/ppe_[A-Za-z0-9_-]{43}/);
    expect(second.log).toMatch(/generated on first start/);
    await enrollHost(second.api.url, aHello('second-start-host'), token);
    const wrong = await AgentClient.attempt(second.api.url, { enrollmentToken: `${token}x` });
    expect(wrong).toBeInstanceOf(UpgradeRefused);
    // credentials issued before the restart still work
    const agent = await AgentClient.connect(second.api.url, { credential: host.credential });
    agent.send(aHello('first-start-host'));
    await agent.waitFor(isWelcome);
    agent.close();
  });
});
