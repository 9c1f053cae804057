import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { auditQuerySchema, type AuditEventList } from '@portpressure/protocol';
import { z } from 'zod';
import { AppError } from '../common/app-error.ts';
import { API_CONFIG, type ApiConfig } from '../config/config.ts';
import { AuditRepository, type AuditWrite } from './audit.repository.ts';

const PRUNE_EVERY_MS = 6 * 3600 * 1000;

@Injectable()
export class AuditService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Audit');
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly repository: AuditRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.prune();
    this.timer = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /**
   * Writes one event. The change it describes has already happened, so a failure to record it is
   * logged loudly rather than turned into an error for a request that did succeed.
   */
  async record(event: AuditWrite): Promise<void> {
    try {
      await this.repository.insert(event);
    } catch (error) {
      this.logger.error(
        `could not record ${event.action} of ${event.entityType} ${event.entityId ?? ''} by ${event.actorName}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  async list(query: unknown): Promise<AuditEventList> {
    const parsed = auditQuerySchema.safeParse(query ?? {});
    if (!parsed.success) throw new AppError('INVALID_QUERY', z.prettifyError(parsed.error));
    const { limit, before, entityType } = parsed.data;
    const rows = await this.repository.list(limit, before === undefined ? undefined : BigInt(before), entityType);
    return {
      events: rows.map((r) => ({
        id: r.id.toString(),
        at: r.at.toISOString(),
        actor: r.actorName,
        action: r.action,
        entityType: r.entityType,
        entityId: r.entityId,
        before: r.before ?? null,
        after: r.after ?? null,
      })),
      nextBefore: rows.length === limit ? (rows.at(-1)?.id.toString() ?? null) : null,
    };
  }

  /** Keeps PORTPRESSURE_AUDIT_RETENTION_DAYS of events. */
  async prune(): Promise<void> {
    try {
      const removed = await this.repository.deleteOlderThan(this.config.auditRetentionDays);
      if (removed > 0) this.logger.log(`removed ${removed} audit events older than ${this.config.auditRetentionDays} days`);
    } catch (error) {
      this.logger.warn(`could not prune the audit log: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
