import { hostNamespacesSchema } from '@portpressure/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestNamespace } from '../../../agent/test/netns/netns.ts';
import { startApiHarness, type ApiHarness } from '../support/api-harness.ts';
import { startStreamingAgent } from '../support/namespaces.ts';
import { lacks } from '../../../../test/support/requirements.ts';
import { waitUntil } from '../../../../test/support/wait.ts';

/** The user nobody: no capabilities, so no other namespace can be entered. */
const NOBODY = 65534;

/**
 * An agent without the privilege to enter other namespaces says so once and streams its own: a
 * namespace made here exists, and the API hears of none but the host's.
 */
describe.skipIf(lacks('unprivileged agent', 'root'))('an agent that may not enter other namespaces', () => {
  let harness: ApiHarness;
  let other: TestNamespace;
  let agent: Awaited<ReturnType<typeof startStreamingAgent>>;

  beforeAll(async () => {
    harness = await startApiHarness();
    other = await TestNamespace.create();
    agent = await startStreamingAgent(harness, NOBODY);
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await other?.destroy();
    await harness?.stop();
  });

  it('logs once that it measures only its own namespace, and streams that one', async () => {
    await waitUntil(
      'five snapshots',
      async () => ((await harness.db.query('SELECT 1 FROM snapshots')).rowCount ?? 0) >= 5,
      60_000,
      () => agent.agent.output(),
    );
    const warning = 'not allowed to enter other network namespaces';
    expect(agent.agent.output().split(warning).length - 1, agent.agent.output()).toBe(1);
    const res = await harness.authedFetch(`/api/hosts/${agent.hostId}/namespaces?gone=true`);
    const { namespaces } = hostNamespacesSchema.parse(await res.json());
    expect(namespaces.map((n) => n.id)).toEqual(['host']);
    expect(namespaces[0]!.lastSeenAt).not.toBeNull();
  });
});
