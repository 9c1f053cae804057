import {
  apiErrorSchema,
  destinationListSchema,
  egressOverviewSchema,
  hostEgressGroupSchema,
  type DestinationList,
  type EgressOverview,
} from '@portpressure/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poll } from '../../../test/support/wait.ts';
import { seedHost, type SeededHost } from '../../web/test/support/seed-hosts.ts';
import { AlertsApi, FAST_ALERTS_ENV, type Fetcher } from './alerts/support/alerts-api.ts';
import { startApiHarness, type ApiHarness } from './support/api-harness.ts';
import { auditEvents, createUser, fetcherFor, signIn } from './support/users.ts';

const DB = '10.20.0.2';
const WEB = '10.20.0.1';
const DNS = '10.20.0.3';

describe('destinations across the fleet and egress budgets, hosts seeded through the ingest path', () => {
  let h: ApiHarness;
  let admin: Fetcher;
  let viewer: Fetcher;
  let alerts: AlertsApi;
  const hosts: Record<'a' | 'b' | 'c', SeededHost> = {} as Record<'a' | 'b' | 'c', SeededHost>;

  const json = async (f: Fetcher, path: string, init: RequestInit = {}) => {
    const res = await f(path, {
      ...init,
      headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  const destinations = async (query = ''): Promise<DestinationList> => {
    const { status, body } = await json(admin, `/api/destinations${query}`);
    expect(status).toBe(200);
    return destinationListSchema.parse(body);
  };
  const egress = async (f: Fetcher = admin): Promise<EgressOverview> => {
    const { status, body } = await json(f, '/api/egress');
    expect(status).toBe(200);
    return egressOverviewSchema.parse(body);
  };
  const nat1Web = async () => {
    const group = (await egress()).groups.find((g) => g.name === 'nat-1');
    return group?.destinations.find((d) => d.remoteAddress === WEB && d.remotePort === 443);
  };
  const refused = async (f: Fetcher, path: string, method: string, body?: unknown) => {
    const res = await json(f, path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, ...apiErrorSchema.parse(res.body) };
  };

  beforeAll(async () => {
    h = await startApiHarness({ ...FAST_ALERTS_ENV, PORTPRESSURE_EGRESS_DEFAULT_LIMIT: '1000' });
    admin = fetcherFor(h.api.url, await h.login());
    alerts = new AlertsApi(admin);
    await createUser(admin, 'watcher', 'viewer', 'watcher-password-1');
    viewer = fetcherFor(h.api.url, await signIn(h.api.url, 'watcher', 'watcher-password-1'));
    hosts.a = await seedHost(h.api.url, 'dest-a', { env: 'test', egress: 'nat-1' });
    hosts.b = await seedHost(h.api.url, 'dest-b', { env: 'test', egress: 'nat-1' });
    hosts.c = await seedHost(h.api.url, 'dest-c', { env: 'test' });
    await hosts.a.report([
      { remoteAddress: WEB, remotePort: 443, used: 60, timeWait: 20 },
      { remoteAddress: WEB, remotePort: 443, localAddress: '10.0.0.2', used: 30 },
      { remoteAddress: DB, remotePort: 5432, used: 10 },
    ]);
    await hosts.b.report([
      { remoteAddress: WEB, remotePort: 443, used: 80, timeWait: 8 },
      { remoteAddress: DNS, remotePort: 53, used: 5 },
    ]);
    await hosts.c.report([
      { remoteAddress: WEB, remotePort: 443, used: 20 },
      { remoteAddress: DB, remotePort: 5432, used: 95 },
    ]);
  });
  afterAll(async () => {
    for (const s of Object.values(hosts)) s.agent.close();
    await h?.stop();
  });

  it('ranks destinations by the worst pressure on their clients, with host counts, connections and the worst host exactly', async () => {
    await poll(async () => (await destinations()).hostsReporting).toBe(3);
    const list = await destinations();
    expect(list.total).toBe(3);
    expect(list.destinations).toEqual([
      {
        remoteAddress: DB,
        remotePort: 5432,
        hosts: 2,
        connections: 105,
        timeWait: 0,
        worst: { hostId: hosts.c.hostId, hostname: 'dest-c', localAddress: '10.0.0.1', used: 95, timeWait: 0, pressure: 0.95 },
      },
      {
        remoteAddress: WEB,
        remotePort: 443,
        hosts: 3,
        connections: 190,
        timeWait: 28,
        worst: { hostId: hosts.b.hostId, hostname: 'dest-b', localAddress: '10.0.0.1', used: 80, timeWait: 8, pressure: 0.8 },
      },
      {
        remoteAddress: DNS,
        remotePort: 53,
        hosts: 1,
        connections: 5,
        timeWait: 0,
        worst: { hostId: hosts.b.hostId, hostname: 'dest-b', localAddress: '10.0.0.1', used: 5, timeWait: 0, pressure: 0.05 },
      },
    ]);
    expect((await destinations('?limit=1')).destinations.map((d) => d.remotePort)).toEqual([5432]);
  });

  it('follows the next snapshot of a host', async () => {
    await hosts.c.report([
      { remoteAddress: WEB, remotePort: 443, used: 20 },
      { remoteAddress: DB, remotePort: 5432, used: 40 },
    ]);
    await poll(async () => (await destinations()).destinations[0]).toMatchObject({
      remoteAddress: WEB,
      connections: 190,
      worst: { hostname: 'dest-b' },
    });
    expect((await destinations()).destinations[1]).toMatchObject({
      remoteAddress: DB,
      connections: 50,
      worst: { hostname: 'dest-c', used: 40 },
    });
  });

  it("sums each egress group's connections per destination against the default limit, then a limit set for it", async () => {
    const overview = await egress(viewer);
    expect(overview.label).toBe('egress');
    expect(overview.defaultLimit).toBe(1000);
    expect(overview.groups.map((g) => [g.name, g.hosts.map((x) => x.hostname)])).toEqual([['nat-1', ['dest-a', 'dest-b']]]);
    expect(overview.groups[0]!.destinations).toEqual([
      { remoteAddress: WEB, remotePort: 443, connections: 170, hosts: 2, limit: 1000, defaultLimit: true, share: 0.17 },
      { remoteAddress: DB, remotePort: 5432, connections: 10, hosts: 1, limit: 1000, defaultLimit: true, share: 0.01 },
      { remoteAddress: DNS, remotePort: 53, connections: 5, hosts: 1, limit: 1000, defaultLimit: true, share: 0.005 },
    ]);

    const set = await json(admin, `/api/egress/limits/${WEB}:443`, { method: 'PUT', body: JSON.stringify({ limit: 200 }) });
    expect(set).toEqual({ status: 200, body: { remoteAddress: WEB, remotePort: 443, limit: 200 } });
    expect((await egress()).limits).toEqual([{ remoteAddress: WEB, remotePort: 443, limit: 200 }]);
    expect(await nat1Web()).toEqual({
      remoteAddress: WEB,
      remotePort: 443,
      connections: 170,
      hosts: 2,
      limit: 200,
      defaultLimit: false,
      share: 0.85,
    });
    const [audited] = await auditEvents(admin, '&entityType=egress-limit');
    expect(audited).toMatchObject({ action: 'set', entityId: `${WEB}:443`, before: null, after: { limit: 200 } });
  });

  it('refuses bad input with a clear error and changes nothing', async () => {
    const before = await egress();
    expect(await refused(admin, '/api/egress/limits/web.example:443', 'PUT', { limit: 10 })).toMatchObject({
      status: 400,
      code: 'INVALID_ENDPOINT',
      message: expect.stringContaining('write address:port'),
    });
    expect(await refused(admin, `/api/egress/limits/${WEB}:70000`, 'PUT', { limit: 10 })).toMatchObject({
      status: 400,
      code: 'INVALID_ENDPOINT',
    });
    expect(await refused(admin, `/api/egress/limits/${WEB}:443`, 'PUT', { limit: -5 })).toMatchObject({
      status: 400,
      code: 'INVALID_EGRESS_REQUEST',
      message: expect.stringContaining('positive'),
    });
    expect(await refused(admin, `/api/egress/limits/${WEB}:443`, 'PUT', { limit: 1.5 })).toMatchObject({ status: 400 });
    expect(await refused(admin, `/api/egress/limits/${DNS}:53`, 'DELETE')).toMatchObject({ status: 404, code: 'EGRESS_LIMIT_NOT_FOUND' });
    expect(await refused(admin, '/api/destinations?limit=0', 'GET')).toMatchObject({ status: 400, code: 'INVALID_QUERY' });
    expect(await refused(admin, `/api/hosts/${hosts.c.hostId}/egress-group`, 'PUT', { group: 'a\nb' })).toMatchObject({
      status: 400,
      code: 'INVALID_EGRESS_REQUEST',
    });
    expect(await refused(admin, '/api/hosts/00000000-0000-4000-8000-000000000000/egress-group', 'PUT', { group: 'x' })).toMatchObject({
      status: 404,
      code: 'HOST_NOT_FOUND',
    });
    // a viewer reads but changes nothing
    expect(await refused(viewer, `/api/egress/limits/${WEB}:443`, 'PUT', { limit: 5000 })).toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
    });
    expect(await refused(viewer, `/api/egress/limits/${WEB}:443`, 'DELETE')).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(await refused(viewer, `/api/hosts/${hosts.c.hostId}/egress-group`, 'PUT', { group: 'nat-1' })).toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
    });
    // an egress rule watches the whole fleet
    await expect(
      alerts.createRule({
        name: 'scoped',
        kind: 'egress',
        severity: 'warning',
        params: { threshold: 0.9 },
        scope: { hostId: null, labels: { env: 'test' } },
      }),
    ).rejects.toMatchObject({ status: 400, body: { code: 'INVALID_ALERT_RULE' } });
    expect(await egress()).toEqual(before);
  });

  it('moves a host into a group explicitly, and back to its label', async () => {
    const put = await json(admin, `/api/hosts/${hosts.c.hostId}/egress-group`, { method: 'PUT', body: JSON.stringify({ group: 'nat-1' }) });
    expect(put.status).toBe(200);
    expect(hostEgressGroupSchema.parse(put.body)).toEqual({ hostId: hosts.c.hostId, explicit: 'nat-1', group: 'nat-1' });
    await poll(nat1Web).toMatchObject({ connections: 190, hosts: 3 });
    const back = await json(admin, `/api/hosts/${hosts.c.hostId}/egress-group`, { method: 'PUT', body: JSON.stringify({ group: null }) });
    expect(back.body).toEqual({ hostId: hosts.c.hostId, explicit: null, group: null });
    expect((await json(viewer, `/api/hosts/${hosts.a.hostId}/egress-group`)).body).toEqual({
      hostId: hosts.a.hostId,
      explicit: null,
      group: 'nat-1',
    });
    await poll(nat1Web).toMatchObject({ connections: 170, hosts: 2 });
  });

  it('fires the egress rule when a group nears its limit to a destination, and resolves it when it falls back', async () => {
    const [rule] = await alerts.replaceRules([
      { name: 'NAT budget', kind: 'egress', severity: 'critical', params: { threshold: 0.9, sustainTicks: 1 } },
    ]);
    expect(rule!.condition).toContain('≥ 90');
    await hosts.a.report([{ remoteAddress: WEB, remotePort: 443, used: 100 }]); // the group now holds 180 of 200
    await poll(async () => (await alerts.incidents('firing')).map((i) => [i.ruleName, i.latest.egressGroup, i.latest.destination])).toEqual(
      [['NAT budget', 'nat-1', `${WEB}:443`]],
    );
    const [incident] = await alerts.incidents('firing');
    const anchor = [hosts.a.hostId, hosts.b.hostId].sort()[0];
    expect(incident!.host.id).toBe(anchor);
    expect(incident!.latest).toMatchObject({ connections: 180, limit: 200, share: 0.9 });

    await hosts.b.report([{ remoteAddress: WEB, remotePort: 443, used: 40 }]); // 140 of 200
    await poll(async () => (await alerts.incidents('all')).map((i) => [i.status, i.latest.connections])).toEqual([['resolved', 140]]);
  });

  it('removes a limit: the default applies again', async () => {
    const gone = await json(admin, `/api/egress/limits/${WEB}:443`, { method: 'DELETE' });
    expect(gone).toEqual({ status: 200, body: { remoteAddress: WEB, remotePort: 443, limit: 200 } });
    expect(await nat1Web()).toMatchObject({ limit: 1000, defaultLimit: true });
    expect((await egress()).limits).toEqual([]);
  });
});
