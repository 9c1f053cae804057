import { forecastExhaustion, type ForecastPoint } from '@portpressure/domain';
import type { AlertMeasurement, AlertNamespace, AlertRule, AlertTuple, Labels, TupleUsage } from '@portpressure/protocol';

// The alert engine's decisions as pure functions: what an observation is, and what a rule's
// observations mean for pending states and incidents. What each kind of rule observes is its own
// file under rules/kinds. The services around it only load inputs and store outputs, so every
// threshold, hysteresis and sustain rule is unit-tested.

/** `tcp|local|remote|port`: identifies a tuple inside a group key and in forecast series maps. */
export function tupleKey(t: AlertTuple): string {
  return `${t.protocol}|${t.localAddress}|${t.remoteAddress}|${t.remotePort}`;
}

/**
 * Stable incident identity (Alertmanager's group key): rule + host (+ namespace, when not the
 * host's own: its inode) + tuple where relevant.
 */
export function groupKeyFor(ruleId: string, hostId: string, tuple: AlertTuple | null, namespace?: AlertNamespace | null): string {
  const where = namespace ? `${hostId}|ns:${namespace.inode}` : hostId;
  return tuple === null ? `${ruleId}|${where}` : `${ruleId}|${where}|${tupleKey(tuple)}`;
}

export function tupleOf(t: TupleUsage): AlertTuple {
  return { protocol: t.protocol, localAddress: t.localAddress, remoteAddress: t.remoteAddress, remotePort: t.remotePort };
}

export interface ScopedHost {
  id: string;
  labels: Labels;
}

/** Whether an enabled rule watches this host: its host, or every label of its scope matches. */
export function ruleApplies(rule: AlertRule, host: ScopedHost): boolean {
  if (!rule.enabled) return false;
  if (rule.scope.hostId !== null && rule.scope.hostId !== host.id) return false;
  return Object.entries(rule.scope.labels).every(([key, value]) => host.labels[key] === value);
}

/** What one evaluation saw for one group key. */
export interface Observation {
  groupKey: string;
  tuple: AlertTuple | null;
  /** The namespace observed, when not the host's own. */
  namespace?: AlertNamespace | null;
  /** The condition holds: counts towards `sustain` and fires once it is reached. */
  breaching: boolean;
  /** An open incident keeps firing (the resolve side of hysteresis, looser than `breaching`). */
  holding: boolean;
  measurement: AlertMeasurement;
}

export function tupleMeasurement(t: TupleUsage, usable: number): AlertMeasurement {
  return {
    pressure: t.pressure,
    used: t.used,
    usable,
    timeWait: t.timeWait,
    timeWaitShare: t.used > 0 ? t.timeWait / t.used : 0,
  };
}

/** Trailing points per tupleKey and the moment they lead up to, for "runs out in …". */
export interface TrendInput {
  series: ReadonlyMap<string, ForecastPoint[]>;
  nowMs: number;
}

/** The measurement plus when the tuple runs out at its current growth, given at least two points. */
export function withTrend(
  measurement: AlertMeasurement,
  points: ForecastPoint[] | undefined,
  usable: number,
  nowMs: number,
): AlertMeasurement {
  if (points === undefined || points.length < 2) return measurement;
  const f = forecastExhaustion(points, usable, nowMs);
  return {
    ...measurement,
    exhaustsAt: f.exhaustsAt === null ? null : new Date(f.exhaustsAt).toISOString(),
    slopePerSecond: f.slopePerSecond,
  };
}

export interface OpenIncidentRef {
  id: string;
  groupKey: string;
}

export type Decision =
  | { type: 'fire'; groupKey: string; tuple: AlertTuple | null; namespace: AlertNamespace | null; measurement: AlertMeasurement }
  | { type: 'keep'; incidentId: string; measurement: AlertMeasurement }
  | { type: 'resolve'; incidentId: string; measurement: AlertMeasurement }
  | { type: 'pending'; groupKey: string; breaches: number }
  | { type: 'clear'; groupKey: string };

/**
 * One rule's state machine per group key, like Prometheus' inactive → pending → firing:
 * an open incident stays while its observation holds and resolves otherwise; without one, each
 * breaching observation adds to the pending count and fires at `sustain`; anything else clears
 * the count. Keys with a pending count or open incident but no observation (the tuple vanished)
 * clear or resolve.
 */
export function decide(
  observations: readonly Observation[],
  sustain: number,
  pending: ReadonlyMap<string, number>,
  open: ReadonlyMap<string, OpenIncidentRef>,
): Decision[] {
  const decisions: Decision[] = [];
  const seen = new Set<string>();
  for (const o of observations) {
    if (seen.has(o.groupKey)) continue;
    seen.add(o.groupKey);
    const incident = open.get(o.groupKey);
    const before = pending.get(o.groupKey) ?? 0;
    if (incident !== undefined) {
      decisions.push(
        o.holding
          ? { type: 'keep', incidentId: incident.id, measurement: o.measurement }
          : { type: 'resolve', incidentId: incident.id, measurement: o.measurement },
      );
      if (before > 0) decisions.push({ type: 'clear', groupKey: o.groupKey });
    } else if (o.breaching) {
      const breaches = before + 1;
      if (breaches >= sustain) {
        decisions.push({ type: 'fire', groupKey: o.groupKey, tuple: o.tuple, namespace: o.namespace ?? null, measurement: o.measurement });
        if (before > 0) decisions.push({ type: 'clear', groupKey: o.groupKey });
      } else {
        decisions.push({ type: 'pending', groupKey: o.groupKey, breaches });
      }
    } else if (before > 0) {
      decisions.push({ type: 'clear', groupKey: o.groupKey });
    }
  }
  for (const [groupKey, incident] of open) {
    if (!seen.has(groupKey)) decisions.push({ type: 'resolve', incidentId: incident.id, measurement: {} });
  }
  for (const groupKey of pending.keys()) {
    if (!seen.has(groupKey) && !open.has(groupKey)) decisions.push({ type: 'clear', groupKey });
  }
  return decisions;
}
