import { statSync } from 'node:fs';
import {
  fleetSchema,
  hostNamespacesSchema,
  namespaceDetailSchema,
  namespaceHistorySchema,
  workloadsSchema,
  type HostNamespace,
} from '@portpressure/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestNamespace } from '../../../agent/test/netns/netns.ts';
import { startApiHarness, type ApiHarness } from '../support/api-harness.ts';
import { holdNamespace, startStreamingAgent, type HeldNamespace } from '../support/namespaces.ts';
import { lacks } from '../../../../test/support/requirements.ts';
import { poll, waitUntil } from '../../../../test/support/wait.ts';

/**
 * Three namespaces made here (two `ip netns add`, one held by an `unshare -n` process), each with
 * its own range, reserved ports and a known number of connections; the real agent, in the root
 * namespace, streams every namespace it sees to the real API, and REST reports each exactly. One
 * is removed: the next snapshots mark it gone, and its history stays readable.
 */
describe.skipIf(lacks('namespaces end to end', 'root'))('every network namespace of a host, streamed and served', () => {
  let harness: ApiHarness;
  let a: TestNamespace;
  let b: TestNamespace;
  let c: HeldNamespace;
  let agent: Awaited<ReturnType<typeof startStreamingAgent>>;
  const inodes = { a: 0, b: 0, c: 0 };

  const get = async <T>(path: string, schema: { parse(v: unknown): T }): Promise<T> => {
    const res = await harness.authedFetch(path);
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
    return schema.parse(await res.json());
  };
  const namespaces = (gone = false) =>
    get(`/api/hosts/${agent.hostId}/namespaces${gone ? '?gone=true' : ''}`, hostNamespacesSchema).then((r) => r.namespaces);
  const byInode = async (inode: number, gone = false): Promise<HostNamespace | undefined> =>
    (await namespaces(gone)).find((n) => n.inode === inode);

  beforeAll(async () => {
    harness = await startApiHarness();
    a = await TestNamespace.create();
    b = await TestNamespace.create();
    c = await holdNamespace();
    await a.sysctl('ip_local_port_range', '40000 40099');
    await a.sysctl('ip_local_reserved_ports', '40090-40099');
    await b.sysctl('ip_local_port_range', '50000 50499');
    await b.sysctl('ip_local_reserved_ports', '50000-50009,50100');
    await c.sysctl('ip_local_port_range=30000 30019', 'ip_local_reserved_ports=30019');
    inodes.a = statSync(`/run/netns/${a.name}`).ino;
    inodes.b = statSync(`/run/netns/${b.name}`).ino;
    inodes.c = statSync(c.path).ino;

    const da = await a.driver();
    await da.listen('127.0.0.1', 5000);
    await da.connect('a', '127.0.0.1', 5000, { max: 70 });
    const db = await b.driver();
    await db.listen('127.0.0.1', 5000);
    await db.listen('::1', 5001);
    await db.connect('b4', '127.0.0.1', 5000, { max: 120 });
    await db.connect('b6', '::1', 5001, { max: 40 });
    await c.driver.listen('127.0.0.1', 6000);
    await c.driver.connect('c', '127.0.0.1', 6000, { max: 19 });
    await a.settle();
    await b.settle();

    agent = await startStreamingAgent(harness);
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await a?.destroy();
    await b?.destroy();
    await c?.kill();
    await harness?.stop();
  });

  it('serves each namespace with its own range, reserved ports and sockets, and the host first as "host"', async () => {
    const found = await waitUntil(
      'the three namespaces to be reported',
      async () => {
        const list = await namespaces();
        const pick = (inode: number) => list.find((n) => n.inode === inode && n.lastSeenAt !== null);
        const [na, nb, nc] = [pick(inodes.a), pick(inodes.b), pick(inodes.c)];
        return na && nb && nc ? { list, na, nb, nc } : undefined;
      },
      60_000,
      () => agent.agent.output(),
    );
    const { list, na, nb, nc } = found;
    expect(list.filter((n) => n.host).map((n) => n.id)).toEqual(['host']);
    // Worst first: c (19 of 19) before a (70 of 90) before b (120 of 489).
    const at = (n: HostNamespace) => list.findIndex((x) => x.id === n.id);
    expect(at(nc)).toBeLessThan(at(na));
    expect(at(na)).toBeLessThan(at(nb));
    for (let i = 1; i < list.length; i++) expect(list[i - 1]!.pressure ?? -1).toBeGreaterThanOrEqual(list[i]!.pressure ?? -1);

    expect(na).toMatchObject({ name: a.name, host: false, gone: false, goneAt: null, usable: 90, tupleCount: 1, label: `netns ${a.name}` });
    expect(na.pressure).toBeCloseTo(70 / 90, 10);
    expect(na.worst).toMatchObject({ localAddress: '127.0.0.1', remoteAddress: '127.0.0.1', remotePort: 5000, used: 70 });
    expect(nb).toMatchObject({ name: b.name, usable: 489, tupleCount: 2 });
    expect(nb.worst).toMatchObject({ remotePort: 5000, used: 120 });
    expect(nc).toMatchObject({
      name: null,
      pod: null,
      containers: [],
      usable: 19,
      tupleCount: 1,
      pressure: 1,
      label: `netns [${inodes.c}]`,
    });

    const detail = async (n: HostNamespace) =>
      (await get(`/api/hosts/${agent.hostId}/namespaces/${n.id}`, namespaceDetailSchema)).latest!.report;
    const [ra, rb, rc] = await Promise.all([detail(na), detail(nb), detail(nc)]);
    expect(ra).toMatchObject({
      range: { low: 40000, high: 40099 },
      reservedPorts: '40090-40099',
      reservedInRange: 10,
      capacity: 90,
      usable: 90,
    });
    expect(rb).toMatchObject({
      range: { low: 50000, high: 50499 },
      reservedPorts: '50000-50009,50100',
      reservedInRange: 11,
      capacity: 489,
    });
    expect(Object.fromEntries(rb.tuples.map((t) => [`${t.localAddress}>${t.remoteAddress}:${t.remotePort}`, t.used]))).toEqual({
      '127.0.0.1>127.0.0.1:5000': 120,
      '::1>::1:5001': 40,
    });
    expect(rc).toMatchObject({ range: { low: 30000, high: 30019 }, reservedPorts: '30019', reservedInRange: 1, capacity: 19, pressure: 1 });
    expect(rc.tuples[0]).toMatchObject({ remotePort: 6000, used: 19 });

    // The host's own namespace is what the host endpoints describe.
    const own = await get(`/api/hosts/${agent.hostId}/namespaces/host`, namespaceDetailSchema);
    expect(own.namespace).toMatchObject({ id: 'host', host: true, gone: false });
    expect(own.latest?.report.range).toBeDefined();
  });

  it('ranks the host in the fleet by its worst namespace and lists the namespaces as workloads', async () => {
    await poll(async () => {
      const fleet = await get('/api/fleet', fleetSchema);
      const row = fleet.hosts.find((h) => h.id === agent.hostId);
      return row?.pressure;
    }).toBe(1);
    const list = await namespaces();
    const row = (await get('/api/fleet', fleetSchema)).hosts.find((h) => h.id === agent.hostId)!;
    // Another suite's namespaces may be as full as c: the row names one of the worst, with its figures.
    expect(row.worstNamespace).toBeTruthy();
    const named = list.find((n) => n.id === row.worstNamespace?.id)!;
    expect(named.pressure).toBe(1);
    expect(row.worstNamespace).toMatchObject({ inode: named.inode, label: named.label });
    expect(row.usable).toBe(named.usable);

    const workloads = await get('/api/workloads?limit=5000', workloadsSchema);
    const mine = workloads.workloads.filter((w) => w.hostId === agent.hostId);
    for (const inode of [inodes.a, inodes.b, inodes.c]) expect(mine.some((w) => w.inode === inode)).toBe(true);
    expect(mine.every((w) => !w.host && !w.gone)).toBe(true);
    for (let i = 1; i < workloads.workloads.length; i++) {
      expect(workloads.workloads[i - 1]!.pressure ?? -1).toBeGreaterThanOrEqual(workloads.workloads[i]!.pressure ?? -1);
    }
    expect(workloads.total).toBeGreaterThanOrEqual(mine.length);
    expect((await harness.authedFetch('/api/workloads?limit=0')).status).toBe(400);
    expect((await harness.authedFetch(`/api/hosts/${agent.hostId}/namespaces/x1`)).status).toBe(400);
    expect((await harness.authedFetch(`/api/hosts/${agent.hostId}/namespaces/999999`)).status).toBe(404);
    expect((await harness.authedFetch(`/api/hosts/${agent.hostId}/namespaces?gone=yes`)).status).toBe(400);
  });

  it('marks a removed namespace gone at the next snapshot and keeps its history readable', async () => {
    const before = (await byInode(inodes.b))!;
    const history = await get(
      `/api/hosts/${agent.hostId}/namespaces/${before.id}/history?from=${new Date(Date.now() - 3_600_000).toISOString()}`,
      namespaceHistorySchema,
    );
    expect(history.t.length).toBeGreaterThan(0);
    expect(Math.max(...history.held)).toBe(120);

    await b.destroy();
    const gone = await waitUntil(
      'b to be marked gone',
      async () => {
        const d = await get(`/api/hosts/${agent.hostId}/namespaces/${before.id}`, namespaceDetailSchema);
        return d.namespace.gone ? d : undefined;
      },
      60_000,
      () => agent.agent.output(),
    );
    expect(gone.namespace.goneAt).not.toBeNull();
    expect(gone.namespace.inode).toBe(inodes.b);
    // Its last report stays (taken while its processes were being killed, it may list fewer sockets).
    expect(gone.latest?.report).toMatchObject({ range: { low: 50000, high: 50499 }, reservedInRange: 11, capacity: 489 });
    expect((await namespaces()).some((n) => n.id === before.id)).toBe(false);
    expect((await namespaces(true)).find((n) => n.id === before.id)).toMatchObject({ gone: true, inode: inodes.b });
    const after = await get(
      `/api/hosts/${agent.hostId}/namespaces/${before.id}/history?from=${new Date(Date.now() - 3_600_000).toISOString()}`,
      namespaceHistorySchema,
    );
    expect(after.namespaceId).toBe(before.id);
    expect(after.t.length).toBeGreaterThanOrEqual(history.t.length);
    expect(Math.max(...after.held)).toBe(120);
    // The others are still there.
    expect((await byInode(inodes.a))?.gone).toBe(false);
    expect((await byInode(inodes.c))?.gone).toBe(false);
  });
});
