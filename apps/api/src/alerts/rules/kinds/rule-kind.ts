import { ratioText, type ForecastPoint } from '@portpressure/domain';
import type { AlertNamespace, AlertRuleField, PortReport, TupleUsage } from '@portpressure/protocol';
import { z } from 'zod';
import type { EgressGroupUsage } from '../../../destinations/destinations-projection.ts';
import type { AlertNotification } from '../../../notifications/notification.ts';
import type { Observation } from '../../evaluation/rule-evaluation.ts';

/** How the rule form asks for one setting; the key is the property name in `fields`. */
export type RuleFieldSpec = Omit<AlertRuleField, 'key'>;

/**
 * The form fields, keyed by the kind's settings: a field for a setting that does not exist fails
 * to compile. Settings without a field (e.g. the forecast's resolve margin) keep their stored
 * value on edit, or the schema's default.
 */
export type RuleFields<P> = { readonly [K in keyof P & string]?: RuleFieldSpec };

/** What a kind may read when a snapshot of a host it watches is committed. */
export interface SnapshotContext {
  ruleId: string;
  hostId: string;
  report: PortReport;
  /** The namespace `report` measures, when not the host's own (kinds with `namespaces` only). */
  namespace?: AlertNamespace;
  /** The agent's clock: the snapshot's takenAt, in ms. Trend fits use it for "now". */
  takenAtMs: number;
  /** The server's clock, for anything about contact with the host. */
  now: Date;
  /** The trend of each tuple the kind asked for in `trend`, trimmed to the last `seconds`. */
  series(seconds: number): ReadonlyMap<string, ForecastPoint[]>;
}

/** Which tuples' history a kind needs on a snapshot, and how far back. */
export interface TrendNeed {
  seconds: number;
  /** `index` is the tuple's rank (worst first); `watched` says it has a pending count or incident of this rule. */
  wants(tuple: TupleUsage, index: number, watched: boolean): boolean;
}

/** What the timer knows of a host that may have gone silent. */
export interface SilenceContext {
  ruleId: string;
  hostId: string;
  /** Last snapshot, or the host's creation when it never reported. */
  lastHeardAt: Date;
  lastSeenAt: Date | null;
  nowMs: number;
}

/** What a kind evaluates on the timer (hosts that stopped reporting), rather than on ingest. */
export interface SilenceHook<P> {
  /** The kind looks at hosts silent for at least this long. */
  seconds(params: P): number;
  observe(params: P, context: SilenceContext): Observation;
}

/** What a fleet-wide kind sees on the timer: figures about many hosts at once. */
export interface FleetContext {
  ruleId: string;
  /** Every egress group's connections per destination against their limits. */
  egress: readonly EgressGroupUsage[];
}

/**
 * An observation of a fleet-wide kind. Incidents and pending counts belong to a host (that is
 * how they are keyed and locked), so each observation names the host that holds it: one chosen
 * steadily for what it is about (an egress group's anchor host, say).
 */
export interface AnchoredObservation extends Observation {
  hostId: string;
}

/**
 * What a kind about the fleet rather than one host evaluates, on the timer (one API instance at
 * a time). Such a kind takes no scope, its `onSnapshot` is not called on ingest, and `sustain`
 * counts timer passes.
 */
export interface FleetHook<P> {
  observe(params: P, context: FleetContext): AnchoredObservation[];
}

/**
 * One kind of alert rule, defined in one file: its settings (schema and form), what it says in
 * words, and how the engine evaluates it. The engine's state machine (pending → firing →
 * resolved), incidents and notifications are shared by every kind; a kind only turns what it
 * sees into observations (breaching / holding, with figures).
 *
 * Methods take the settings already validated by `paramsSchema` (defaults filled in).
 */
export interface RuleKind<P, N extends string = string> {
  /** Stable identifier stored with each rule and incident, e.g. `pressure`. */
  readonly name: N;
  /** What the kind picker shows, e.g. "Pressure above a threshold". */
  readonly displayName: string;
  readonly paramsSchema: z.ZodType<P, unknown>;
  readonly fields: RuleFields<P>;
  /** The condition in one line, in the units people use. */
  condition(params: P): string;
  /** Observations in a row a rule needs before it fires. */
  sustain(params: P): number;
  /**
   * Whether a snapshot could start counting towards firing; when no rule of a host can, and
   * nothing is pending or firing there, the engine skips the host's locked transaction.
   */
  couldBreach(params: P, report: PortReport, worstPressure: number): boolean;
  /**
   * Also evaluated on every other network namespace of a version 2 snapshot (containers, pods):
   * `onSnapshot` is called once per namespace with its report and `context.namespace`, and its
   * group keys must carry the namespace (groupKeyFor's last argument).
   */
  readonly namespaces?: boolean;
  /** The tuple history `onSnapshot` reads through `context.series`; none when absent. */
  trend?(params: P): TrendNeed;
  onSnapshot(params: P, context: SnapshotContext): Observation[];
  /** Present for kinds about hosts that stopped reporting: the timer evaluates them. */
  readonly silence?: SilenceHook<P>;
  /** Present for fleet-wide kinds (egress budgets): the timer evaluates them over the whole fleet. */
  readonly fleet?: FleetHook<P>;
  /**
   * The notification's first sentence for firing and reminder messages; `still` is "still " for
   * reminders and empty otherwise, `where` the host (and tuple) in words.
   */
  summary(notification: AlertNotification, words: { still: string; where: string; now: Date }): string;
}

/** The registry holds kinds of every settings type; each is only called with what its schema produced. */
export type AnyRuleKind = RuleKind<unknown>;

export type RuleKindErrorCode = 'DUPLICATE_RULE_KIND' | 'UNKNOWN_RULE_KIND' | 'INVALID_RULE_PARAMS';

export class RuleKindError extends Error {
  constructor(
    readonly code: RuleKindErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RuleKindError';
  }
}

export const DAY_SECONDS = 86_400;

/** A whole number of seconds from 10 up to `max`: the horizons, windows and grace periods of rules. */
export function secondsSetting(max: number) {
  return z.number().int().min(10).max(max);
}

/** How many observations in a row a rule needs before it fires (snapshots, or timer passes). */
export function sustainSetting(sustainDefault: number) {
  return z.number().int().min(1).max(1000).default(sustainDefault);
}

/** A ratio threshold and the margin below it that a breach must fall under before it resolves. */
function thresholdSettings() {
  return {
    threshold: z.number().gt(0).max(1),
    resolveMargin: z.number().min(0).max(0.5).default(0.05),
  };
}

/**
 * The settings of a threshold with hysteresis, shared by the kinds that watch a ratio: breaching at
 * `threshold`, holding down to `threshold − resolveMargin`, firing after `sustainSnapshots` in a
 * row. Spread into the kind's object schema, which then refines it with `marginBelowThreshold`.
 */
function hysteresisSettings(sustainDefault: number) {
  return { ...thresholdSettings(), sustainSnapshots: sustainSetting(sustainDefault) };
}

/** `hysteresisSettings` of a kind the timer evaluates: `sustainTicks` counts timer passes. */
export function tickHysteresisSettings(sustainDefault: number) {
  return { ...thresholdSettings(), sustainTicks: sustainSetting(sustainDefault) };
}

/** The refinement of `hysteresisSettings`: a margin as large as the threshold would never resolve. */
export const marginBelowThreshold: [(p: { threshold: number; resolveMargin: number }) => boolean, { message: string; path: string[] }] = [
  (p) => p.threshold - p.resolveMargin > 0,
  { message: 'resolveMargin must be smaller than threshold', path: ['resolveMargin'] },
];

/**
 * The object schema of a hysteresis kind: `hysteresisSettings` and the kind's own `extra` settings,
 * refined with `marginBelowThreshold`.
 */
export function hysteresisSchema<S extends z.ZodRawShape = Record<never, never>>(sustainDefault: number, extra: S = {} as S) {
  const [check, where] = marginBelowThreshold;
  // The spread shape always holds threshold and resolveMargin; zod cannot see that through `S`.
  return z.object({ ...hysteresisSettings(sustainDefault), ...extra }).refine((p) => check(p as Parameters<typeof check>[0]), where);
}

/** The form fields of `resolveMargin` and `sustainSnapshots`, which follow the threshold's. */
export function hysteresisFields(sustainDefault: number, marginHint?: string) {
  return { resolveMargin: resolveMarginField(marginHint), sustainSnapshots: sustainSnapshotsField(sustainDefault) };
}

/** The form field of `resolveMargin`; `hint` where the kind explains it. */
export function resolveMarginField(hint?: string): RuleFieldSpec {
  return { label: 'Resolve margin (%)', unit: 'percent', default: 0.05, ...(hint === undefined ? {} : { hint }) };
}

/** The form field of `sustainSnapshots`. */
export function sustainSnapshotsField(sustainDefault: number): RuleFieldSpec {
  return { label: 'Sustained for (snapshots)', unit: 'count', default: sustainDefault };
}

/** `n` and its noun, in the plural unless `n` is 1: `3 snapshots`, `1 timer pass`. */
export function countOf(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The end of a hysteresis kind's condition: ` (resolves below 75%)`. */
export function resolvesBelow(p: { threshold: number; resolveMargin: number }): string {
  return ` (resolves below ${ratioText(p.threshold - p.resolveMargin)})`;
}
