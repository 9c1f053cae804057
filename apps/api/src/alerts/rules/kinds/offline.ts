import { durationText } from '@portpressure/domain';
import { z } from 'zod';
import { groupKeyFor, type Observation } from '../../evaluation/rule-evaluation.ts';
import { DAY_SECONDS, secondsSetting, type RuleKind } from './rule-kind.ts';

/** Offline rule: the host has sent no snapshot for `afterSeconds`; resolves when it reports again. */
export const offlineParamsSchema = z.object({ afterSeconds: secondsSetting(30 * DAY_SECONDS) });
export type OfflineParams = z.infer<typeof offlineParamsSchema>;

/** Offline: nothing heard for `afterSeconds` (since creation for a host that never reported). */
export function observeOffline(
  ruleId: string,
  params: OfflineParams,
  hostId: string,
  lastHeardAt: Date,
  lastSeenAt: Date | null,
  nowMs: number,
): Observation {
  const silent = nowMs - lastHeardAt.getTime() >= params.afterSeconds * 1000;
  return {
    groupKey: groupKeyFor(ruleId, hostId, null),
    tuple: null,
    breaching: silent,
    holding: silent,
    measurement: { lastSeenAt: lastSeenAt?.toISOString() ?? null },
  };
}

export const offlineRuleKind: RuleKind<OfflineParams, 'offline'> = {
  name: 'offline',
  displayName: 'Host stopped reporting',
  paramsSchema: offlineParamsSchema,
  fields: {
    afterSeconds: { label: 'Silent for (min)', unit: 'minutes', default: 300 },
  },
  condition: (p) => `no snapshot for ${durationText(p.afterSeconds * 1000)}`,
  // One silent tick is enough: afterSeconds already is the grace period.
  sustain: () => 1,
  couldBreach: () => false,
  // The host just reported.
  onSnapshot: (p, c) => [observeOffline(c.ruleId, p, c.hostId, c.now, c.now, c.now.getTime())],
  silence: {
    seconds: (p) => p.afterSeconds,
    observe: (p, c) => observeOffline(c.ruleId, p, c.hostId, c.lastHeardAt, c.lastSeenAt, c.nowMs),
  },
  summary: (n, { still }) => `${n.host.hostname} has ${still}stopped reporting.`,
};
