import { describe, expect, it } from 'vitest';
import {
  buildIncidentNotification,
  buildTestNotification,
  hostPageUrl,
  notificationId,
  type IncidentForNotification,
} from './notification-builder.ts';
import { renderFacts, renderSummary } from '../../notifications/notification.ts';

const incident: IncidentForNotification = {
  id: '3f1c2f0e-0000-4000-8000-000000000001',
  ruleName: 'Port pressure critical',
  ruleKind: 'pressure',
  severity: 'critical',
  groupKey: 'rule|host|tcp|10.0.0.2|10.0.0.5|5432',
  tuple: { protocol: 'tcp', localAddress: '10.0.0.2', remoteAddress: '10.0.0.5', remotePort: 5432 },
  namespace: null,
  startedAt: new Date('2026-05-01T10:00:00Z'),
  resolvedAt: new Date('2026-05-01T10:05:30Z'),
  latest: { pressure: 0.93, used: 93, usable: 100, timeWait: 31, timeWaitShare: 1 / 3, exhaustsAt: '2026-05-01T10:20:00.000Z' },
  reminderCount: 2,
};
const host = { id: 'b7a9c1d2-0000-4000-8000-000000000002', hostname: 'web-1', labels: { env: 'prod' } };

describe('incident notifications', () => {
  it('derive their id from the incident and the transition, so a transition is queued once', () => {
    expect(notificationId('i', 'firing')).toBe('i:firing');
    expect(notificationId('i', 'resolved')).toBe('i:resolved');
    expect(notificationId('i', 'reminder', 3)).toBe('i:reminder:3');
    expect(buildIncidentNotification('reminder', incident, host, 'https://pp.example').id).toBe(`${incident.id}:reminder:2`);
  });

  it('carry what, where and how bad, and link to the host page', () => {
    const n = buildIncidentNotification('firing', incident, host, 'https://pp.example');
    expect(n).toMatchObject({
      kind: 'firing',
      severity: 'critical',
      host: { hostname: 'web-1', labels: { env: 'prod' } },
      tuple: incident.tuple,
      pressure: 0.93,
      used: 93,
      usable: 100,
      exhaustsAt: '2026-05-01T10:20:00.000Z',
      startedAt: '2026-05-01T10:00:00.000Z',
      hostUrl: `https://pp.example/hosts/${host.id}`,
    });
    expect(n.resolvedAt).toBeUndefined();
  });

  it('say how long a resolved incident lasted, without a forecast that no longer applies', () => {
    const n = buildIncidentNotification('resolved', incident, host, 'https://pp.example');
    expect(n).toMatchObject({ kind: 'resolved', resolvedAt: '2026-05-01T10:05:30.000Z', durationSeconds: 330 });
    expect(n.exhaustsAt).toBeUndefined();
  });

  it('leave out the tuple for host-wide rules', () => {
    const n = buildIncidentNotification(
      'firing',
      { ...incident, ruleKind: 'offline', tuple: null, latest: {} },
      host,
      'https://pp.example',
    );
    expect(n.tuple).toBeUndefined();
    expect(n.pressure).toBeUndefined();
  });

  it('name the pod a namespace incident is about, in the summary and the facts', () => {
    const namespace = { inode: 4026532281, label: 'pod shop/cart-7d9f' };
    const n = buildIncidentNotification('firing', { ...incident, namespace }, host, 'https://pp.example');
    expect(n.namespace).toEqual(namespace);
    expect(renderSummary(n)).toContain('pod shop/cart-7d9f on web-1 for tcp 10.0.0.5:5432 from 10.0.0.2');
    expect(renderFacts(n)).toContainEqual({ label: 'Namespace', value: 'pod shop/cart-7d9f' });
    const own = buildIncidentNotification('firing', incident, host, 'https://pp.example');
    expect(own.namespace).toBeUndefined();
    expect(renderSummary(own)).toContain('pressure on web-1 for tcp');
  });

  it('build a complete test message', () => {
    const n = buildTestNotification('test:1', 'On-call', 'https://pp.example', new Date('2026-05-01T10:00:00Z'));
    expect(n).toMatchObject({ id: 'test:1', kind: 'test', ruleName: 'Test of channel "On-call"', hostUrl: 'https://pp.example' });
    expect(hostPageUrl('https://pp.example', 'a b')).toBe('https://pp.example/hosts/a%20b');
  });
});
