import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxRepository } from '../../src/alerts/delivery/outbox.repository.ts';
import { loadApiConfig } from '../../src/config/config.ts';
import { DbService } from '../../src/database/db.service.ts';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';

// The outbox claim against a real PostgreSQL: several workers (separate connection pools, as
// separate API instances would have) claiming at once never take the same delivery twice.

describe('outbox claims', () => {
  let db: TestDatabase;
  const services: DbService[] = [];
  let channelId: string;

  const repository = (): OutboxRepository => {
    const client = new DbService(loadApiConfig({ DATABASE_URL: db.url }));
    services.push(client);
    return new OutboxRepository(client);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO alert_channels (name, type, settings) VALUES ('c', 'webhook', '{}') RETURNING id`,
    );
    channelId = rows[0]?.id ?? '';
  });

  afterAll(async () => {
    for (const s of services) await s.destroy();
    await db?.drop();
  });

  async function queue(count: number, incidentIds: (string | null)[] = [null]): Promise<void> {
    await db.query(
      `INSERT INTO alert_deliveries (notification_id, channel_id, incident_id, kind, payload)
       SELECT 'n-' || g || '-' || md5(random()::text), $1, ($2::uuid[])[1 + g % cardinality($2::uuid[])], 'firing', '{}'
       FROM generate_series(1, $3) AS g`,
      [channelId, incidentIds, count],
    );
  }

  it('hands every due delivery to exactly one of several concurrent workers', async () => {
    await queue(120);
    const workers = [repository(), repository(), repository()];
    const claimed = await Promise.all(
      workers.map(async (w) => {
        const mine: string[] = [];
        for (;;) {
          const batch = await w.claimDue(7, 60_000);
          if (batch.length === 0) return mine;
          mine.push(...batch.map((d) => d.id));
        }
      }),
    );
    const all = claimed.flat();
    expect(all).toHaveLength(120);
    expect(new Set(all.map(String)).size).toBe(120);
    // Claimed rows are leased: nothing is due again until the lease runs out.
    expect(await repository().claimDue(10, 60_000)).toEqual([]);
  });

  it('makes a lease that ran out due again, and ignores the late result of the worker that lost it', async () => {
    await db.query(`DELETE FROM alert_deliveries`);
    await queue(1);
    const [first, second] = [repository(), repository()];
    const [lost] = await first.claimDue(1, 1);
    await new Promise((r) => setTimeout(r, 20));
    const [taken] = await second.claimDue(1, 60_000);
    expect(taken?.id).toBe(lost?.id);
    expect(taken?.attempts).toBe(2);
    const record = { startedAt: new Date(), durationMs: 5, httpStatus: 200, error: null, retryAfterMs: null, delayMs: null };
    await first.recordAttempt(lost!.id, lost!.attempts, { ...record, outcome: 'failed', httpStatus: 400, error: 'late' });
    await second.recordAttempt(taken!.id, taken!.attempts, { ...record, outcome: 'delivered' });
    const { rows } = await db.query<{ status: string; last_error: string | null }>(`SELECT status, last_error FROM alert_deliveries`);
    expect(rows).toEqual([{ status: 'delivered', last_error: null }]);
    // Both attempts happened, so both are in the log.
    const attempts = await db.query<{ attempt: number; outcome: string }>(
      `SELECT attempt, outcome FROM alert_delivery_attempts ORDER BY attempt`,
    );
    expect(attempts.rows).toEqual([
      { attempt: 1, outcome: 'failed' },
      { attempt: 2, outcome: 'delivered' },
    ]);
  });

  it("keeps an incident's later notification waiting while an earlier one for the same channel is pending", async () => {
    await db.query(`DELETE FROM alert_deliveries`);
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO hosts (machine_id, hostname) VALUES ('m-claim-0001', 'claim-host') RETURNING id`,
    );
    const incident = await db.query<{ id: string }>(
      `INSERT INTO alert_incidents (host_id, group_key, rule_name, rule_kind, severity, status, started_at, latest)
       VALUES ($1, 'k', 'r', 'pressure', 'warning', 'resolved', now(), '{}') RETURNING id`,
      [rows[0]?.id],
    );
    const incidentId = incident.rows[0]?.id ?? null;
    await queue(2, [incidentId]);
    const w = repository();
    const [firing] = await w.claimDue(10, 60_000);
    expect(await w.claimDue(10, 60_000)).toEqual([]);
    await w.recordAttempt(firing!.id, firing!.attempts, {
      startedAt: new Date(),
      durationMs: 1,
      outcome: 'delivered',
      httpStatus: 200,
      error: null,
      retryAfterMs: null,
      delayMs: null,
    });
    const next = await w.claimDue(10, 60_000);
    expect(next.map((d) => d.id > firing!.id)).toEqual([true]);
  });
});
