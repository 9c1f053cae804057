import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { API_CONFIG, type ApiConfig } from '../../config/config.ts';
import type { EgressOptions } from '../../notifications/egress-proxy.ts';
import type { DeliveryOutcome } from '../../notifications/http-sender.ts';
import { alertNotificationSchema } from '../../notifications/notification.ts';
import { channelConfigSchema, providerRegistry } from '../../notifications/providers/index.ts';
import { OutboxRepository, type ClaimedDelivery } from './outbox.repository.ts';
import { planAfterAttempt } from './retry-plan.ts';

/** Builds and sends one delivery; never throws (a payload or channel that no longer parses fails for good). */
export async function attemptDelivery(
  claimed: Pick<ClaimedDelivery, 'channelType' | 'channelSettings' | 'payload'>,
  egress: EgressOptions,
): Promise<DeliveryOutcome> {
  const config = channelConfigSchema.safeParse({ type: claimed.channelType, settings: claimed.channelSettings });
  if (!config.success) {
    return {
      ok: false,
      retryable: false,
      error: `the channel's ${claimed.channelType} settings are invalid; edit the channel`,
      durationMs: 0,
    };
  }
  const notification = alertNotificationSchema.safeParse(claimed.payload);
  if (!notification.success) {
    return { ok: false, retryable: false, error: 'the stored notification is malformed', durationMs: 0 };
  }
  // Built on every attempt: the signed webhook's timestamp must be fresh each time.
  return providerRegistry.deliver(config.data, notification.data, { egress });
}

/**
 * The outbox worker. It claims due deliveries (FOR UPDATE SKIP LOCKED, so every API instance can
 * run one), keeps up to `concurrency` attempts in flight, and records each attempt's outcome. It
 * polls, and is woken at once when this instance queues something. Rows left pending by a stopped
 * or crashed instance are picked up on the next start, or when their lease runs out.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('DeliveryWorker');
  private readonly inFlight = new Set<Promise<void>>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private pumping: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(
    private readonly outbox: OutboxRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /** An attempt cannot outlive its timeout, so a lease of twice that (plus slack) is never cut short. */
  get leaseMs(): number {
    return this.config.alerts.delivery.timeoutMs * 2 + 10_000;
  }

  onApplicationBootstrap(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.config.alerts.delivery.pollMs);
    this.wake();
  }

  /** Lets in-flight attempts finish (each is bounded by the timeout) so none is sent twice. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.pumping;
    await Promise.allSettled([...this.inFlight]);
  }

  /** Looks for due deliveries now instead of at the next poll. */
  wake(): void {
    if (this.stopped) return;
    if (this.pumping !== undefined) {
      this.again = true;
      return;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
    });
  }

  private async pump(): Promise<void> {
    const { concurrency } = this.config.alerts.delivery;
    do {
      this.again = false;
      const free = concurrency - this.inFlight.size;
      if (free <= 0 || this.stopped) return;
      let claimed: ClaimedDelivery[];
      try {
        claimed = await this.outbox.claimDue(free, this.leaseMs);
      } catch (error) {
        this.logger.warn(`could not claim deliveries: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
      for (const delivery of claimed) this.track(this.deliver(delivery));
      // A full batch suggests more are due.
      if (claimed.length === free) this.again = true;
    } while (this.again && !this.stopped);
  }

  private track(attempt: Promise<void>): void {
    this.inFlight.add(attempt);
    void attempt.finally(() => {
      this.inFlight.delete(attempt);
      this.wake();
    });
  }

  private async deliver(claimed: ClaimedDelivery): Promise<void> {
    const { delivery } = this.config.alerts;
    const startedAt = new Date();
    const outcome = await attemptDelivery(claimed, {
      timeoutMs: delivery.timeoutMs,
      proxy: this.config.egressProxy,
      allow: this.config.security.webhookAllow,
    });
    const plan = planAfterAttempt(outcome, claimed.attempts, {
      baseMs: delivery.backoffBaseMs,
      maxMs: delivery.backoffMaxMs,
      maxAttempts: delivery.maxAttempts,
    });
    if (plan.outcome !== 'delivered') {
      // sendHttp's errors never hold the full webhook URL, so they are safe to log.
      this.logger.warn(`delivery ${claimed.id} (${claimed.channelType}) attempt ${claimed.attempts}: ${plan.error} → ${plan.outcome}`);
    }
    try {
      await this.outbox.recordAttempt(claimed.id, claimed.attempts, {
        startedAt,
        durationMs: outcome.durationMs,
        outcome: plan.outcome,
        httpStatus: outcome.ok ? outcome.status : (outcome.status ?? null),
        error: plan.outcome === 'delivered' ? null : plan.error,
        retryAfterMs: outcome.ok ? null : (outcome.retryAfterMs ?? null),
        delayMs: plan.outcome === 'retry' ? plan.delayMs : null,
      });
    } catch (error) {
      // The lease runs out and the delivery is attempted again: at least once, never lost.
      this.logger.error(`could not record delivery ${claimed.id}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
