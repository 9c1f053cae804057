import type { AlertNotification } from '../../../src/notifications/notification.ts';

/** A critical pressure incident on one tuple, with every measurement filled in. */
export function aFiringNotification(overrides: Partial<AlertNotification> = {}): AlertNotification {
  return {
    id: 'ntf-0001',
    kind: 'firing',
    severity: 'critical',
    ruleName: 'Port pressure critical',
    ruleKind: 'pressure',
    groupKey: 'rule-7|host-42|tcp|10.0.0.2|10.0.0.5|5432',
    host: { id: 'host-42', hostname: 'web-1.prod', labels: { env: 'prod', team: 'payments' } },
    tuple: { protocol: 'tcp', localAddress: '10.0.0.2', remoteAddress: '10.0.0.5', remotePort: 5432 },
    pressure: 0.9234,
    used: 58_213,
    usable: 63_000,
    timeWaitShare: 0.81,
    startedAt: '2026-05-01T10:00:00.000Z',
    hostUrl: 'https://portpressure.example.com/hosts/host-42',
    ...overrides,
  };
}

/** The same incident, resolved 1 h 2 min 5 s after it started. */
export function aResolvedNotification(overrides: Partial<AlertNotification> = {}): AlertNotification {
  return aFiringNotification({
    id: 'ntf-0002',
    kind: 'resolved',
    pressure: 0.41,
    used: 25_830,
    timeWaitShare: 0.35,
    resolvedAt: '2026-05-01T11:02:05.000Z',
    ...overrides,
  });
}

/** A forecast incident: the tuple runs out 12 minutes after FIXED_NOW. */
export function aForecastNotification(overrides: Partial<AlertNotification> = {}): AlertNotification {
  return aFiringNotification({
    id: 'ntf-0003',
    severity: 'warning',
    ruleName: 'Runs out within 30 minutes',
    ruleKind: 'forecast',
    pressure: 0.7,
    exhaustsAt: '2026-05-01T10:17:00.000Z',
    ...overrides,
  });
}

export const FIXED_NOW = new Date('2026-05-01T10:05:00.000Z');
