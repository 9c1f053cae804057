import type { AlertChannel, AlertRule } from '@portpressure/protocol';
import { beforeAll } from 'vitest';
import type { StartedApi } from '../../../src/app.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../notifications/support/webhook-receiver.ts';
import { connectEnrolled, isAck, startAnotherApi, startApiHarness, type AgentClient, type ApiHarness } from '../../support/api-harness.ts';
import { aHello, aReport, aSnapshot, aTuple } from '../../support/factories.ts';
import { AlertsApi, FAST_ALERTS_ENV } from './alerts-api.ts';
import { suiteValue } from '../../../../../test/support/suite-value.ts';
import { waitUntil } from '../../../../../test/support/wait.ts';

export const WEBHOOK_SECRET = 'fault-test-shared-secret-0123';

/** One host with its own signed-webhook channel and a pressure rule scoped to that host. */
export interface AlertScenario {
  hostId: string;
  agent: AgentClient;
  channel: AlertChannel;
  rule: AlertRule;
  /** Sends a snapshot whose worst tuple uses `used` of 100 ports and waits until rules ran on it. */
  report(used: number): Promise<void>;
}

/**
 * Sets up an isolated scenario on a shared API: fires at 90 % after one snapshot, resolves below
 * 80 %, reminds never (unless asked), and notifies only `webhookUrl`.
 */
export async function alertScenario(
  h: ApiHarness,
  alerts: AlertsApi,
  hostname: string,
  webhookUrl: string,
  options: { repeatIntervalSeconds?: number } = {},
): Promise<AlertScenario> {
  const channel = await alerts.createChannel({
    name: `${hostname} hook`,
    type: 'webhook',
    settings: { webhookUrl, secret: WEBHOOK_SECRET },
  });
  const { agent, host } = await connectEnrolled(h.api.url, aHello(hostname));
  const rule = await alerts.createRule({
    name: `Pressure on ${hostname}`,
    kind: 'pressure',
    severity: 'critical',
    scope: { hostId: host.hostId, labels: {} },
    channelIds: [channel.id],
    params: { threshold: 0.9, resolveMargin: 0.1, sustainSnapshots: 1 },
    repeatIntervalSeconds: options.repeatIntervalSeconds ?? 0,
  });
  let seq = 0;
  return {
    hostId: host.hostId,
    agent,
    channel,
    rule,
    async report(used) {
      seq += 1;
      agent.send(aSnapshot(seq, aReport({ tuples: [aTuple({ used })] })));
      await agent.waitFor(isAck(seq));
      await evaluated(h, host.hostId, seq);
    },
  };
}

/**
 * Waits until the alert engine has evaluated the host's snapshot `seq`. Ingest acks after commit
 * and evaluates after that; the engine records its progress per host in alert_host_evaluations,
 * and notifications are queued in the same transaction, so after this nothing more will be queued
 * for that snapshot.
 */
export async function evaluated(h: ApiHarness, hostId: string, seq: number): Promise<void> {
  await waitUntil(`evaluation of snapshot ${seq}`, async () => {
    const { rows } = await h.db.query<{ seq: string }>('SELECT seq FROM alert_host_evaluations WHERE host_id = $1', [hostId]);
    return Number(rows[0]?.seq ?? 0) >= seq || undefined;
  });
}

/** Deletes the default rules, so only a test's own rules notify. */
export async function withoutDefaultRules(alerts: AlertsApi): Promise<void> {
  await alerts.replaceRules([]);
}

/**
 * Starts the API again on the harness's database and port, as a restarted process would: same
 * database, same URL, so sessions and agents carry on.
 */
export function startAgain(h: ApiHarness): Promise<StartedApi> {
  return startAnotherApi(h, { PORT: String(h.api.port), ...FAST_ALERTS_ENV });
}

/** What an alerting suite works with: a webhook receiver, the API with fast alert timers, its REST client. */
export interface AlertsSuite {
  h: ApiHarness;
  alerts: AlertsApi;
  receiver: WebhookReceiver;
  /**
   * Starts the API again (startAgain) after the test closed it; the end of the suite stops that
   * instance and drops the database.
   */
  startAgain(): Promise<void>;
}

/**
 * Starts an alerting suite before its tests and stops it after them; `defaultRules: false`
 * deletes the default rules first, so only the suite's own rules notify.
 */
export function useAlertsSuite({ defaultRules = true }: { defaultRules?: boolean } = {}): AlertsSuite {
  const receiver = suiteValue(startWebhookReceiver, (r) => r.close());
  let restarted: StartedApi | undefined;
  const h = suiteValue(
    () => startApiHarness(FAST_ALERTS_ENV),
    async (started) => {
      if (restarted === undefined) return started.stop();
      await restarted.close();
      await started.db.drop();
    },
  );
  const alerts = new AlertsApi((path, init) => h.authedFetch(path, init));
  if (!defaultRules) beforeAll(() => withoutDefaultRules(alerts));
  return {
    h,
    alerts,
    receiver,
    async startAgain() {
      restarted = await startAgain(h);
    },
  };
}
