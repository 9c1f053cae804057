import { readFile, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { SESSION_COOKIE, createdApiTokenSchema } from '@portpressure/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { startApiProcess } from '../../../scripts/api-process.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { spawnAgent, type AgentProcess } from './support/agent-process.ts';
import { waitUntil } from '../../../test/support/wait.ts';

const ADMIN_PASSWORD = 'correct-horse-battery-staple';
const WRONG_PASSWORD = 'wrong-password-guess-42';
const ENROLLMENT_TOKEN = 'enroll-me-secret-0123456789abcdef';
const METRICS_TOKEN = 'metrics-secret-0123456789abcdef';
const WEBHOOK_PATH_SECRET = 'T0SECRET/B0SECRET/hookpathsecret0123';
const WEBHOOK_SECRET = 'hmac-shared-secret-0123456789';

/**
 * A full run of the real API process and a real agent process, with every log line captured:
 * sign-in (also a failed one), enrollment, a channel with a webhook URL and secret (and a test
 * send that fails), API tokens created, used and revoked, a scrape. No secret may appear in any line.
 */
describe('logs of a full run', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  it('are JSON lines with UTC times, no colour, and no secret', async () => {
    const db: TestDatabase = await createTestDatabase();
    cleanups.push(() => db.drop());
    const dir = await mkdtemp(path.join(os.tmpdir(), 'portpressure-logs-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    // a webhook receiver that always fails, so the delivery is retried and logged
    const receiver = http.createServer((req, res) => {
      req.resume();
      res.statusCode = 500;
      res.end('nope');
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise((resolve) => {
          receiver.closeAllConnections();
          receiver.close(resolve);
        }),
    );
    const webhookUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/services/${WEBHOOK_PATH_SECRET}?token=querysecret0123`;

    const logFile = path.join(dir, 'api.log');
    const { child, url } = await startApiProcess({
      databaseUrl: db.url,
      logFile,
      env: {
        PORTPRESSURE_LOG_LEVEL: 'debug',
        PORTPRESSURE_ADMIN_PASSWORD: ADMIN_PASSWORD,
        PORTPRESSURE_ENROLLMENT_TOKEN: ENROLLMENT_TOKEN,
        PORTPRESSURE_METRICS_TOKEN: METRICS_TOKEN,
        PORTPRESSURE_INTERVAL_SECONDS: '1',
        PORTPRESSURE_DELIVERY_POLL_MS: '100',
        PORTPRESSURE_DELIVERY_BACKOFF_BASE_MS: '50',
        PORTPRESSURE_DELIVERY_BACKOFF_MAX_MS: '100',
        PORTPRESSURE_DELIVERY_MAX_ATTEMPTS: '2',
        // the receiver is on loopback, which webhooks may reach only when allowed
        PORTPRESSURE_WEBHOOK_ALLOW: '127.0.0.0/8',
      },
    });
    const stopApi = (c: ChildProcess) =>
      new Promise<void>((resolve) => {
        if (c.exitCode !== null || c.signalCode !== null) return resolve();
        c.once('exit', () => resolve());
        c.kill('SIGTERM');
      });
    cleanups.push(() => stopApi(child));

    const failed = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: WRONG_PASSWORD }),
    });
    expect(failed.status).toBe(401);
    const login = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: ADMIN_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers
      .getSetCookie()
      .find((c) => c.startsWith(`${SESSION_COOKIE}=`))!
      .split(';')[0]!;
    const sessionToken = cookie.split('=')[1]!;
    const authed = (p: string, init: RequestInit = {}) =>
      fetch(`${url}${p}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), cookie, 'content-type': 'application/json' },
      });

    const stateDir = path.join(dir, 'agent');
    const agent: AgentProcess = spawnAgent(
      ['--server', url, '--enrollment-token', ENROLLMENT_TOKEN, '--interval', '1', '--state-dir', stateDir, '--source', 'proc'],
      {
        PORTPRESSURE_LOG_LEVEL: 'debug',
      },
    );
    cleanups.push(() => agent.stop());
    await waitUntil(
      'the agent to report',
      async () => ((await db.query('SELECT 1 FROM snapshots')).rowCount ?? 0) >= 2 || undefined,
      60_000,
      () => agent.output(),
    );
    const credential = (JSON.parse(await readFile(path.join(stateDir, 'credential.json'), 'utf8')) as { credential: string }).credential;

    const created = await authed('/api/alerts/channels', {
      method: 'POST',
      body: JSON.stringify({ name: 'ops', type: 'webhook', settings: { webhookUrl, secret: WEBHOOK_SECRET } }),
    });
    expect(created.status).toBe(201);
    const channel = (await created.json()) as { id: string };
    const sent = await authed(`/api/alerts/channels/${channel.id}/test`, { method: 'POST' });
    expect(sent.status).toBe(200);
    expect(await sent.json()).toMatchObject({ status: 'failed' });

    const token = createdApiTokenSchema.parse(
      await (await authed('/api/tokens', { method: 'POST', body: JSON.stringify({ name: 'ci', scope: 'read' }) })).json(),
    );
    expect((await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token.token}` } })).status).toBe(200);
    expect((await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200);
    expect(
      (await fetch(`${url}/api/alerts/channels`, { method: 'POST', headers: { authorization: `Bearer ${token.token}` } })).status,
    ).toBe(403);
    expect((await authed(`/api/tokens/${token.apiToken.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(`${url}/api/fleet`, { headers: { authorization: `Bearer ${token.token}` } })).status).toBe(401);
    // an invalid request that echoes nothing secret back into the log either
    await fetch(`${url}/api/fleet`, { headers: { authorization: `Bearer ppt_${'x'.repeat(43)}` } });

    await agent.stop();
    await stopApi(child);

    const apiLines = (await readFile(logFile, 'utf8')).split('\n').filter((l) => l !== '');
    const agentLines = agent
      .output()
      .split('\n')
      .filter((l) => l !== '');
    expect(apiLines.length).toBeGreaterThan(5);
    expect(agentLines.length).toBeGreaterThan(2);
    expect(apiLines.some((l) => l.includes('listening on'))).toBe(true);
    expect(agentLines.some((l) => l.includes('enrolled as host'))).toBe(true);

    const secrets = {
      ADMIN_PASSWORD,
      WRONG_PASSWORD,
      ENROLLMENT_TOKEN,
      METRICS_TOKEN,
      WEBHOOK_PATH_SECRET,
      'webhook query secret': 'querysecret0123',
      WEBHOOK_SECRET,
      'API token': token.token,
      'API token body': token.token.slice(4),
      'host credential': credential,
      'session token': sessionToken,
      'database password': new URL(db.url).password,
    };
    for (const [service, lines] of [
      ['api', apiLines],
      ['agent', agentLines],
    ] as const) {
      for (const line of lines) {
        // JSON lines with a UTC time, no terminal colour codes
        expect(line, line).not.toContain('\x1b[');
        const entry = JSON.parse(line) as { time: string; service: string };
        expect(entry.time, line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        expect(entry.service).toBe(service);
        for (const [name, secret] of Object.entries(secrets)) {
          if (secret) expect(line.includes(secret), `${name} in ${service} log: ${line}`).toBe(false);
        }
      }
    }
  }, 180_000);
});
