import { z } from 'zod';
import { byUniqueName, formFields } from '../../common/named-registry.ts';
import { egressDispatcher } from '../egress-proxy.ts';
import { sendHttp, type DeliveryOutcome, type OutgoingRequest } from '../http-sender.ts';
import type { AlertNotification } from '../notification.ts';
import type { AnyProvider, BuildOptions, ChatProvider, DirectSendContext, FieldSpec } from './chat-provider.ts';
import { isDirectProvider, NotificationProviderError } from './chat-provider.ts';
import type { ChannelField } from '@portpressure/protocol';
import { registeredProviders } from './registered.ts';

export type {
  AnyProvider,
  BuildOptions,
  ChatProvider,
  DirectProvider,
  DirectSendContext,
  FieldSpec,
  ProviderFields,
} from './chat-provider.ts';
export { NotificationProviderError, webhookUrlSchema } from './chat-provider.ts';

export interface ProviderInfo {
  name: string;
  displayName: string;
  /** The settings form, in the provider's order. */
  fields: ChannelField[];
}

/** A channel as stored: which provider, and that provider's settings in whatever shape arrived. */
export interface UntypedChannelConfig {
  type: string;
  settings: unknown;
}

/**
 * The providers the server knows, by name. Two providers with one name would make stored channels
 * ambiguous, so construction refuses that outright instead of letting the last one win.
 */
export class ProviderRegistry {
  readonly #byName: Map<string, AnyProvider<unknown>>;

  constructor(providers: Iterable<AnyProvider<unknown>>) {
    this.#byName = byUniqueName(
      providers,
      (name) => new NotificationProviderError('DUPLICATE_PROVIDER', `notification provider "${name}" is registered twice`),
    );
  }

  list(): ProviderInfo[] {
    return [...this.#byName.values()].map((p) => ({
      name: p.name,
      displayName: p.displayName,
      fields: formFields<FieldSpec>(p.fields),
    }));
  }

  has(name: string): boolean {
    return this.#byName.has(name);
  }

  get(name: string): AnyProvider<unknown> {
    const provider = this.#byName.get(name);
    if (provider === undefined) {
      throw new NotificationProviderError('UNKNOWN_PROVIDER', `unknown notification provider "${name}"`);
    }
    return provider;
  }

  /** Validates settings with the provider's own schema, filling defaults. */
  parseSettings(name: string, settings: unknown): unknown {
    const result = this.get(name).settingsSchema.safeParse(settings);
    if (!result.success) {
      throw new NotificationProviderError('INVALID_SETTINGS', `invalid ${name} settings: ${z.prettifyError(result.error)}`);
    }
    return result.data;
  }

  /** Re-validates stored settings before use, so a row edited by hand cannot reach `build` malformed. */
  build(config: UntypedChannelConfig, notification: AlertNotification, options?: BuildOptions): OutgoingRequest {
    const settings = this.parseSettings(config.type, config.settings);
    const provider = this.get(config.type);
    if (isDirectProvider(provider)) {
      throw new NotificationProviderError('INVALID_SETTINGS', `${config.type} does not send over HTTP`);
    }
    return provider.build(notification, settings, options);
  }

  /**
   * One delivery attempt: HTTP providers' requests go through sendHttp (with the egress proxy),
   * the others send by themselves. Never throws, like sendHttp.
   */
  async deliver(config: UntypedChannelConfig, notification: AlertNotification, context: DirectSendContext): Promise<DeliveryOutcome> {
    let settings: unknown;
    let provider: AnyProvider<unknown>;
    try {
      settings = this.parseSettings(config.type, config.settings);
      provider = this.get(config.type);
    } catch (error) {
      return { ok: false, retryable: false, error: error instanceof Error ? error.message : String(error), durationMs: 0 };
    }
    if (isDirectProvider(provider)) return provider.send(notification, settings, context);
    const dispatcher = egressDispatcher(context.egress.proxy);
    return sendHttp(provider.build(notification, settings, context), {
      timeoutMs: context.egress.timeoutMs,
      ...(dispatcher === undefined ? {} : { dispatcher }),
      ...(context.egress.allow === undefined ? {} : { allow: context.egress.allow }),
    });
  }

  redact(config: UntypedChannelConfig): UntypedChannelConfig {
    const settings = this.parseSettings(config.type, config.settings);
    return { type: config.type, settings: this.get(config.type).redact(settings) };
  }
}

type RegisteredProvider = (typeof registeredProviders)[number];

/** Every provider the server has (listed in registered.ts), in the form's order. */
export const chatProviders: readonly RegisteredProvider[] = registeredProviders;

export const providerRegistry = new ProviderRegistry(chatProviders);

/** Looks a provider up by its stored name; throws UNKNOWN_PROVIDER for names the server lacks. */
export function getProvider(name: string): AnyProvider<unknown> {
  return providerRegistry.get(name);
}

type ConfigOf<P> = P extends AnyProvider<infer S, infer N> ? { type: N; settings: S } : never;
type HttpConfigOf<P> = P extends ChatProvider<infer S, infer N> ? { type: N; settings: S } : never;

/** A notification channel's configuration: `type` picks the provider, `settings` are its own. */
export type ChannelConfig = ConfigOf<RegisteredProvider>;
export type ChannelType = ChannelConfig['type'];
/** The channels that post over HTTP (every provider with `build`). */
export type HttpChannelConfig = HttpConfigOf<RegisteredProvider>;
/** The chat services and the signed webhook: a webhook URL and a message, no incident pairing. */
export type ChatChannelConfig = Extract<ChannelConfig, { type: 'slack' | 'discord' | 'teams' | 'mattermost' | 'google-chat' | 'webhook' }>;

function configOption(provider: RegisteredProvider) {
  return z.object({ type: z.literal(provider.name), settings: provider.settingsSchema });
}

/**
 * Validates a channel configuration against the provider its `type` names. Built from the list at
 * run time, so TypeScript cannot follow the pairing of each literal with its settings; the cast
 * states what the union guarantees (each option pairs a provider's name with its own schema).
 */
export const channelConfigSchema = z.discriminatedUnion('type', [
  configOption(firstProvider()),
  ...chatProviders.slice(1).map(configOption),
]) as unknown as z.ZodType<ChannelConfig>;

function firstProvider(): RegisteredProvider {
  const first = chatProviders[0];
  if (first === undefined) throw new NotificationProviderError('UNKNOWN_PROVIDER', 'no notification provider is registered');
  return first;
}

export function buildChannelRequest(config: HttpChannelConfig, notification: AlertNotification, options?: BuildOptions): OutgoingRequest {
  return providerRegistry.build(config, notification, options);
}

/** The configuration with its secrets masked: the only form the API may return. */
export function redactChannelConfig(config: ChannelConfig): ChannelConfig {
  const provider: AnyProvider<unknown> = providerRegistry.get(config.type);
  // The provider named by `type` redacts its own settings into the same shape.
  return { type: config.type, settings: provider.redact(config.settings) } as ChannelConfig;
}

/**
 * An edit form gets redacted settings and sends them back unchanged when the user leaves a secret
 * alone. Put the stored secret back wherever the submitted value is exactly its masked form, then
 * validate the result with channelConfigSchema as usual.
 */
export function restoreRedactedSecrets(
  submitted: { type: string; settings: Record<string, unknown> },
  stored: ChannelConfig,
): { type: string; settings: Record<string, unknown> } {
  if (submitted.type !== stored.type) return submitted;
  const original: Record<string, unknown> = stored.settings;
  const masked: Record<string, unknown> = redactChannelConfig(stored).settings;
  const settings: Record<string, unknown> = { ...submitted.settings };
  for (const [key, value] of Object.entries(settings)) {
    if (masked[key] !== original[key] && value === masked[key]) settings[key] = original[key];
  }
  return { type: submitted.type, settings };
}
