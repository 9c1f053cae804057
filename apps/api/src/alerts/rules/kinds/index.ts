import type { AlertRule, AlertRuleDefinition, AlertRuleKindInfo, PortReport } from '@portpressure/protocol';
import { z } from 'zod';
import { byUniqueName, formFields } from '../../../common/named-registry.ts';
import type { AlertNotification } from '../../../notifications/notification.ts';
import { registeredRuleKinds } from './registered.ts';
import { RuleKindError, type AnyRuleKind, type RuleFieldSpec, type RuleKind } from './rule-kind.ts';

export type { AnchoredObservation, AnyRuleKind, FleetContext, RuleKind, SilenceContext, SnapshotContext, TrendNeed } from './rule-kind.ts';
export { RuleKindError } from './rule-kind.ts';

/**
 * The rule kinds the server has, by name. Two kinds with one name would make stored rules and
 * incidents ambiguous, so construction refuses that outright instead of letting the last one win.
 */
export class RuleKindRegistry {
  readonly #byName: Map<string, AnyRuleKind>;

  constructor(kinds: Iterable<AnyRuleKind>) {
    this.#byName = byUniqueName(kinds, (name) => new RuleKindError('DUPLICATE_RULE_KIND', `rule kind "${name}" is registered twice`));
  }

  /** Every kind with its form, for `GET /api/alerts/rule-kinds`. */
  list(): AlertRuleKindInfo[] {
    return [...this.#byName.values()].map((k) => ({
      kind: k.name,
      displayName: k.displayName,
      fields: formFields<RuleFieldSpec>(k.fields),
    }));
  }

  find(name: string): AnyRuleKind | undefined {
    return this.#byName.get(name);
  }

  get(name: string): AnyRuleKind {
    const kind = this.#byName.get(name);
    if (kind === undefined) {
      throw new RuleKindError('UNKNOWN_RULE_KIND', `unknown rule kind "${name}"; known: ${[...this.#byName.keys()].join(', ')}`);
    }
    return kind;
  }

  /** Whether the timer evaluates this kind over the whole fleet rather than ingest per host. */
  isFleetWide(name: string): boolean {
    return this.find(name)?.fleet !== undefined;
  }

  /** Kinds the timer evaluates (hosts that stopped reporting). */
  silenceKinds(): Set<string> {
    return new Set([...this.#byName.values()].filter((k) => k.silence !== undefined).map((k) => k.name));
  }

  /** Validates a rule's params with its kind's own schema, filling defaults. */
  parseParams(kind: string, params: unknown): Record<string, unknown> {
    const result = this.get(kind).paramsSchema.safeParse(params);
    if (!result.success) throw new RuleKindError('INVALID_RULE_PARAMS', `invalid ${kind} params: ${z.prettifyError(result.error)}`);
    // Every kind's schema is an object schema (its fields are keyed by its settings).
    return result.data as Record<string, unknown>;
  }

  /** A rule as written, its params checked and completed by its kind. */
  parseDefinition(rule: AlertRuleDefinition): AlertRuleDefinition {
    const params = this.parseParams(rule.kind, rule.params);
    if (this.get(rule.kind).fleet !== undefined && (rule.scope.hostId !== null || Object.keys(rule.scope.labels).length > 0)) {
      throw new RuleKindError('INVALID_RULE_PARAMS', `a ${rule.kind} rule watches the whole fleet: it takes no host or label scope`);
    }
    return { ...rule, params };
  }

  condition(rule: Pick<AlertRule, 'kind' | 'params'>): string {
    return this.get(rule.kind).condition(rule.params);
  }

  /** Snapshots in a row a rule needs before firing. */
  sustainOf(rule: Pick<AlertRule, 'kind' | 'params'>): number {
    return this.get(rule.kind).sustain(rule.params);
  }

  /**
   * Whether any rule could start counting towards firing on this report. When none can, and the
   * host has no pending count and no firing incident, the snapshot changes nothing: the engine
   * skips the locked transaction (most snapshots of a healthy fleet).
   */
  couldBreach(rules: readonly Pick<AlertRule, 'kind' | 'params'>[], report: PortReport): boolean {
    const worst = report.tuples.reduce((max, t) => Math.max(max, t.pressure), 0);
    return rules.some((rule) => this.get(rule.kind).couldBreach(rule.params, report, worst));
  }

  /** The first sentence of a firing or reminder message, in the words of the incident's kind. */
  summary(n: AlertNotification, words: { still: string; where: string; now: Date }): string {
    const kind = this.find(n.ruleKind);
    // An incident of a kind this version no longer has still gets a message.
    return kind === undefined ? `"${n.ruleName}" ${words.still}holds on ${words.where}.` : kind.summary(n, words);
  }
}

type RegisteredRuleKind = (typeof registeredRuleKinds)[number];
type DefinitionOf<K> = K extends RuleKind<infer P, infer N> ? { kind: N; params: P } : never;

/** A rule's kind and params as written, typed by the registered kinds: a misspelt setting fails to compile. */
export type RuleKindParams = DefinitionOf<RegisteredRuleKind>;

export const ruleKindRegistry = new RuleKindRegistry(registeredRuleKinds);
