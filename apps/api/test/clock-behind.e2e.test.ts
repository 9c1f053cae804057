import { fleetSchema, hostClockSchema, hostDetailSchema } from '@portpressure/protocol';
import { describe, expect, it } from 'vitest';
import { waitUntil } from '../../../test/support/wait.ts';
import { connectEnrolled, isAck, useApiHarness, type AgentClient, type ApiHarness } from './support/api-harness.ts';
import { aHello, aReport, aSnapshot } from './support/factories.ts';

/**
 * Issue #17 row 13: an agent clock an hour behind showed "runs out" an hour in the past. The API
 * now measures a clock behind from the smallest lag of the live (paced) snapshots, shows it like an
 * ahead skew, and moves the forecast's exhaustsAt into its own time. An honest agent replaying an
 * hour of spool is not mistaken for a clock behind.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** The harness's interval is 1 s: live snapshots come paced by about that. */
const PACE_MS = 900;

async function send(agent: AgentClient, seq: number, used: number, takenAt: Date): Promise<void> {
  agent.send(aSnapshot(seq, aReport({ used }), takenAt));
  await agent.waitFor(isAck(seq));
}

/**
 * Ten minutes of a leak growing 2 ports a minute (of 100), replayed back to back as a spool, then
 * `live` paced snapshots taken "now" by a clock `behindMs` behind. Returns the agent's view of now.
 */
async function leakingHost(h: ApiHarness, name: string, behindMs: number, live = 4): Promise<{ hostId: string; agentNow: () => number }> {
  const { agent, host } = await connectEnrolled(h.api.url, aHello(name));
  const agentNow = () => Date.now() - behindMs;
  const start = agentNow() - 10 * MINUTE;
  let seq = 0;
  // Back to back, as a spool replay is sent (the acks are awaited after).
  for (let m = 0; m < 10; m++) agent.send(aSnapshot(++seq, aReport({ used: 20 + 2 * m }), new Date(start + m * MINUTE)));
  await agent.waitFor(isAck(seq));
  for (let i = 0; i < live; i++) {
    await new Promise((r) => setTimeout(r, PACE_MS));
    await send(agent, ++seq, 40 + (i % 2), new Date(agentNow()));
  }
  agent.close();
  return { hostId: host.hostId, agentNow };
}

describe('row 13: an agent clock behind', () => {
  const h = useApiHarness({ PORTPRESSURE_INTERVAL_SECONDS: '1' });

  const clockOf = async (id: string) => hostClockSchema.parse(await (await h.authedFetch(`/api/hosts/${id}/clock`)).json());
  const detailOf = async (id: string) => hostDetailSchema.parse(await (await h.authedFetch(`/api/hosts/${id}/detail`)).json());
  const fleetRow = async (id: string) => fleetSchema.parse(await (await h.authedFetch('/api/fleet')).json()).hosts.find((r) => r.id === id);

  it('measures the clock an hour behind, and "runs out" is in the future, in the host detail and the fleet', async () => {
    const { hostId } = await leakingHost(h, 'clock-behind', HOUR);

    await waitUntil('the skew recorded', async () => (await clockOf(hostId)).skewSeconds !== null, 10_000);
    const clock = await clockOf(hostId);
    expect(clock.skewSeconds!).toBeLessThan(-3590);
    expect(clock.skewSeconds!).toBeGreaterThan(-3610);
    expect(clock.corrected).toBe(false);

    // In the agent's time the leak runs out about 30 minutes after its "now", i.e. half an hour ago
    // by the API's clock; in the API's time it is half an hour ahead.
    await waitUntil('the forecast', async () => (await detailOf(hostId)).trend?.exhaustsAt != null, 10_000);
    const exhaustsAt = Date.parse((await detailOf(hostId)).trend!.exhaustsAt!);
    expect(exhaustsAt).toBeGreaterThan(Date.now() + 10 * MINUTE);
    expect(exhaustsAt).toBeLessThan(Date.now() + HOUR);
    await waitUntil('the fleet row', async () => (await fleetRow(hostId))?.trend?.exhaustsAt != null, 10_000);
    const row = await fleetRow(hostId);
    expect(Date.parse(row!.trend!.exhaustsAt!)).toBe(exhaustsAt);
  });

  it('does not take an honest spool replay for a clock behind: the skew stays near zero', async () => {
    const { hostId } = await leakingHost(h, 'honest-replay', 0);
    await waitUntil('the skew recorded', async () => (await clockOf(hostId)).skewSeconds !== null, 10_000);
    expect(Math.abs((await clockOf(hostId)).skewSeconds!)).toBeLessThan(5);
    await waitUntil('the forecast', async () => (await detailOf(hostId)).trend?.exhaustsAt != null, 10_000);
    const exhaustsAt = Date.parse((await detailOf(hostId)).trend!.exhaustsAt!);
    expect(exhaustsAt).toBeGreaterThan(Date.now() + 10 * MINUTE);
    expect(exhaustsAt).toBeLessThan(Date.now() + HOUR);
  });

  it('a replay alone (no live snapshot yet) says nothing about the clock', async () => {
    const { agent, host } = await connectEnrolled(h.api.url, aHello('replay-only'));
    const start = Date.now() - 2 * HOUR;
    for (let seq = 1; seq <= 20; seq++) agent.send(aSnapshot(seq, aReport({ used: 30 }), new Date(start + seq * MINUTE)));
    await agent.waitFor(isAck(20));
    agent.close();
    await new Promise((r) => setTimeout(r, 500));
    expect((await clockOf(host.hostId)).skewSeconds).toBeNull();
  });
});
