import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  alertChannelInputSchema,
  channelTypeSchema,
  type AlertChannel,
  type AlertChannelList,
  type AlertDelivery,
  type ChannelTypeList,
} from '@portpressure/protocol';
import { z } from 'zod';
import { API_CONFIG, type ApiConfig } from '../../config/config.ts';
import {
  channelConfigSchema,
  redactChannelConfig,
  restoreRedactedSecrets,
  type ChannelConfig,
} from '../../notifications/providers/index.ts';
import { AlertsError, parseAlertInput } from '../alerts.errors.ts';
import { DeliveriesService } from '../delivery/deliveries.service.ts';
import { attemptDelivery, DeliveryWorker } from '../delivery/delivery-worker.service.ts';
import { OutboxRepository } from '../delivery/outbox.repository.ts';
import { buildTestNotification } from '../evaluation/notification-builder.ts';
import { checkChannelTarget, checkSecretFollowsUrl } from './channel-target-check.ts';
import { channelTypes } from './channel-types.ts';
import { ChannelsRepository, type ChannelRow } from './channels.repository.ts';

const idSchema = z.uuid();

type SettingValue = string | boolean | number;

/** Form fields left empty mean "not set": optional settings reject empty strings. */
function dropEmpty(settings: Record<string, SettingValue>): Record<string, SettingValue> {
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== ''));
}

function storedConfig(row: ChannelRow): ChannelConfig | null {
  const parsed = channelConfigSchema.safeParse({ type: row.type, settings: row.settings });
  return parsed.success ? parsed.data : null;
}

/** The only shape in which a channel leaves the API: every secret masked by its provider. */
function toAlertChannel(row: ChannelRow): AlertChannel {
  const config = storedConfig(row);
  const type = channelTypeSchema.safeParse(row.type);
  const settings: Record<string, SettingValue> = {};
  if (config !== null) {
    for (const [key, value] of Object.entries(redactChannelConfig(config).settings)) {
      if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') settings[key] = value;
    }
  }
  return {
    id: row.id,
    name: row.name,
    type: type.success ? type.data : 'webhook',
    enabled: row.enabled,
    settings,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

@Injectable()
export class ChannelsService {
  constructor(
    private readonly channels: ChannelsRepository,
    private readonly outbox: OutboxRepository,
    private readonly deliveries: DeliveriesService,
    private readonly worker: DeliveryWorker,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  types(): ChannelTypeList {
    return { types: channelTypes() };
  }

  async list(): Promise<AlertChannelList> {
    return { channels: (await this.channels.list()).map(toAlertChannel) };
  }

  async get(id: string): Promise<AlertChannel> {
    return toAlertChannel(await this.row(id));
  }

  async create(body: unknown): Promise<AlertChannel> {
    const input = this.parseInput(body);
    const config = this.validate({ type: input.type, settings: dropEmpty(input.settings) });
    checkChannelTarget(config, this.config.security.webhookAllow);
    return toAlertChannel(await this.channels.create({ name: input.name, enabled: input.enabled, ...config }));
  }

  /**
   * Replaces a channel's settings. Masked values sent back unchanged (the form shows what GET
   * returned) keep the stored secret, so editing a name never needs the webhook URL again.
   */
  async update(id: string, body: unknown): Promise<AlertChannel> {
    const existing = await this.row(id);
    const input = this.parseInput(body);
    const stored = storedConfig(existing);
    const submitted = { type: input.type, settings: dropEmpty(input.settings) };
    if (stored !== null && stored.type === submitted.type) checkSecretFollowsUrl(submitted, stored);
    const config = this.validate(stored === null ? submitted : restoreRedactedSecrets(submitted, stored));
    checkChannelTarget(config, this.config.security.webhookAllow);
    const row = await this.channels.update(id, { name: input.name, enabled: input.enabled, ...config });
    if (row === null) throw new AlertsError('ALERT_CHANNEL_NOT_FOUND', `no channel ${id}`);
    if (!row.enabled) await this.outbox.failPendingForChannel(id, 'channel disabled before delivery');
    return toAlertChannel(row);
  }

  async delete(id: string): Promise<void> {
    if (!idSchema.safeParse(id).success || !(await this.channels.delete(id))) {
      throw new AlertsError('ALERT_CHANNEL_NOT_FOUND', `no channel ${id}`);
    }
  }

  /**
   * Sends a test message now, once, without retries, and returns the delivery with its attempt
   * (it also shows in the delivery log). Works for disabled channels, to try one before enabling.
   */
  async sendTest(id: string): Promise<AlertDelivery> {
    const row = await this.row(id);
    const { timeoutMs } = this.config.alerts.delivery;
    const now = new Date();
    const notification = buildTestNotification(`test:${randomUUID()}`, row.name, this.config.alerts.publicUrl, now);
    const deliveryId = await this.outbox.createClaimed(notification.id, row.id, 'test', notification, this.worker.leaseMs);
    const outcome = await attemptDelivery(
      { channelType: row.type, channelSettings: row.settings, payload: notification },
      { timeoutMs, proxy: this.config.egressProxy, allow: this.config.security.webhookAllow },
    );
    await this.outbox.recordAttempt(deliveryId, 1, {
      startedAt: now,
      durationMs: outcome.durationMs,
      outcome: outcome.ok ? 'delivered' : 'failed',
      httpStatus: outcome.ok ? outcome.status : (outcome.status ?? null),
      error: outcome.ok ? null : outcome.error,
      retryAfterMs: outcome.ok ? null : (outcome.retryAfterMs ?? null),
      delayMs: null,
    });
    return this.deliveries.get(deliveryId);
  }

  private async row(id: string): Promise<ChannelRow> {
    const row = idSchema.safeParse(id).success ? await this.channels.findById(id) : null;
    if (row === null) throw new AlertsError('ALERT_CHANNEL_NOT_FOUND', `no channel ${id}`);
    return row;
  }

  private parseInput(body: unknown): z.output<typeof alertChannelInputSchema> {
    return parseAlertInput(alertChannelInputSchema, body, 'INVALID_ALERT_CHANNEL');
  }

  /** The provider's own schema decides; its messages name fields, never echo the values. */
  private validate(candidate: { type: string; settings: Record<string, unknown> }): ChannelConfig {
    const parsed = channelConfigSchema.safeParse(candidate);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`).join('; ');
      throw new AlertsError('INVALID_ALERT_CHANNEL', `invalid ${candidate.type} settings: ${problems}`);
    }
    return parsed.data;
  }
}
