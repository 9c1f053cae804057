import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { AlertRule } from '@portpressure/protocol';
import { parseRuleRow } from './rule-view.ts';
import { RulesRepository } from './rules.repository.ts';

/**
 * Longest the cached rules are used without re-reading them, even while change announcements
 * arrive: a safety net only (an announcement lost some way we did not foresee heals this fast).
 */
const MAX_AGE_MS = 5_000;

/**
 * The enabled rules that validate, kept in memory for the alert engine: ingest evaluates every
 * committed batch, and reading the rules for each would be a query per batch for data that
 * changes a few times a day.
 *
 * Invalidation: the rules service calls changed() after every write, which drops this
 * instance's copy at once and announces the change (Postgres NOTIFY) to the other API
 * instances, which drop theirs when it arrives. While the listener connection is down the cache
 * is bypassed (every call reads the database), since announcements would be missed.
 */
@Injectable()
export class ActiveRulesService implements OnApplicationBootstrap {
  private readonly logger = new Logger('AlertRules');
  private readonly skipped = new Set<string>();
  private cached: { rules: AlertRule[]; loadedAt: number } | undefined;
  private loading: Promise<AlertRule[]> | undefined;
  /** Bumped by every invalidation: a read that started before one must not be cached after it. */
  private generation = 0;
  private listening = false;

  constructor(private readonly repository: RulesRepository) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.repository.listenForChanges(
      () => this.invalidate(),
      (listening) => {
        this.listening = listening;
        this.invalidate();
      },
    );
  }

  /** The rules as cached, or read now when the cache is empty, old, or cannot be trusted. */
  current(): Promise<AlertRule[]> {
    const cached = this.cached;
    if (cached !== undefined && this.listening && Date.now() - cached.loadedAt < MAX_AGE_MS) return Promise.resolve(cached.rules);
    if (this.loading === undefined) {
      const loading = this.load().finally(() => {
        if (this.loading === loading) this.loading = undefined;
      });
      this.loading = loading;
    }
    return this.loading;
  }

  /** Read from the database now (and cached), for callers that must not see a stale list. */
  fresh(): Promise<AlertRule[]> {
    this.invalidate();
    return this.current();
  }

  /** Rules changed through this instance: forget them here, and tell the other instances. */
  async changed(): Promise<void> {
    this.invalidate();
    await this.repository.announceChange().catch((error: unknown) => {
      // The other instances' caches expire within MAX_AGE_MS anyway.
      this.logger.error(`could not announce a rule change: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  private invalidate(): void {
    this.generation += 1;
    this.cached = undefined;
    this.loading = undefined;
  }

  private async load(): Promise<AlertRule[]> {
    const generation = this.generation;
    const loadedAt = Date.now();
    const rules: AlertRule[] = [];
    for (const row of await this.repository.listEnabled()) {
      const rule = parseRuleRow(row);
      if (rule !== null) rules.push(rule);
      else if (!this.skipped.has(row.id)) {
        this.skipped.add(row.id);
        this.logger.warn(`rule ${row.id} ("${row.name}") does not validate and is skipped; edit or delete it`);
      }
    }
    if (generation === this.generation) this.cached = { rules, loadedAt };
    return rules;
  }
}
