import type { ChannelField } from '@portpressure/protocol';
import { z } from 'zod';
import type { EgressOptions } from '../egress-proxy.ts';
import { redactUrl, type DeliveryOutcome, type OutgoingRequest } from '../http-sender.ts';
import type { AlertNotification } from '../notification.ts';

/** Per-build context. `now` fixes the clock for signatures and "runs out in …" text. */
export interface BuildOptions {
  now?: Date;
}

/** How a settings form asks for one setting; the key is the property name in `fields`. */
export type FieldSpec = Omit<ChannelField, 'key'>;

/**
 * One entry per setting of the provider's schema, in form order. Typed by the settings so a
 * setting without a form field, or a field for a setting that does not exist, fails to compile.
 */
export type ProviderFields<S> = { readonly [K in keyof S & string]-?: FieldSpec };

/**
 * One chat service (Uptime Kuma's provider idea): it validates its own settings, turns a
 * notification into an HTTP request in the service's documented format, and masks its secrets
 * for API responses. It does no I/O; the outbox worker sends what `build` returns.
 *
 * `build` is called once per attempt so time-dependent parts (the generic webhook's signature
 * timestamp) are fresh on every retry.
 */
export interface ChatProvider<S, N extends string = string> {
  /** Stable identifier stored with each channel, e.g. `slack`. */
  readonly name: N;
  readonly displayName: string;
  readonly settingsSchema: z.ZodType<S>;
  /** The settings form, served by `GET /api/alerts/channel-types`. */
  readonly fields: ProviderFields<S>;
  build(notification: AlertNotification, settings: S, options?: BuildOptions): OutgoingRequest;
  /** The settings with every secret masked, fit to return from the API. */
  redact(settings: S): S;
}

/** What a provider that opens its own connection (SMTP) needs for one attempt. */
export interface DirectSendContext extends BuildOptions {
  egress: EgressOptions;
}

/**
 * A provider that does not speak HTTP (email): it validates, redacts and sends by itself, and
 * reports each attempt as the HTTP sender does, so the outbox retries it the same way.
 */
export interface DirectProvider<S, N extends string = string> {
  readonly name: N;
  readonly displayName: string;
  readonly settingsSchema: z.ZodType<S>;
  readonly fields: ProviderFields<S>;
  send(notification: AlertNotification, settings: S, context: DirectSendContext): Promise<DeliveryOutcome>;
  redact(settings: S): S;
}

export type AnyProvider<S, N extends string = string> = ChatProvider<S, N> | DirectProvider<S, N>;

export function isDirectProvider<S, N extends string>(provider: AnyProvider<S, N>): provider is DirectProvider<S, N> {
  return 'send' in provider;
}

export type NotificationProviderErrorCode = 'DUPLICATE_PROVIDER' | 'UNKNOWN_PROVIDER' | 'INVALID_SETTINGS';

export class NotificationProviderError extends Error {
  constructor(
    readonly code: NotificationProviderErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'NotificationProviderError';
  }
}

/**
 * A webhook URL: absolute http(s) with a host. Plain http is allowed because self-hosted
 * Mattermost and in-house receivers often sit on an internal network without TLS.
 */
export const webhookUrlSchema = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
  .max(2048)
  // Never sent as Basic auth by the sender, so such a URL could only fail on every attempt.
  .refine((url) => !/^[a-z]+:\/\/[^/?#]*@/i.test(url), 'must not contain user:password@; webhook credentials go in the path or query');

/** The usual first field: a webhook URL, secret because its path is the credential. */
export function webhookUrlField(help: string): FieldSpec {
  return { label: 'Webhook URL', input: 'url', required: true, secret: true, help };
}

/** A field the user may leave empty (the provider's default applies). */
export function optionalField(label: string, input: FieldSpec['input'], more: Pick<FieldSpec, 'help' | 'options'> = {}): FieldSpec {
  return { label, input, required: false, secret: false, ...more };
}

/** A required credential: masked in every answer, kept when the mask is sent back. */
export function secretField(label: string, help: string): FieldSpec {
  return { label, input: 'secret', required: true, secret: true, help };
}

/** Settings as API answers show them: the webhook URL redacted (its path or query is the credential). */
export function redactWebhookUrl<S extends { webhookUrl: string }>(settings: S): S {
  return { ...settings, webhookUrl: redactUrl(settings.webhookUrl) };
}

/** A POST of `payload` as JSON, with any `headers` added to the JSON ones. */
export function postJson(url: string, payload: unknown, headers: Record<string, string> = {}): OutgoingRequest {
  return { url, method: 'POST', headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(payload) };
}

export const JSON_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json',
  'user-agent': 'Portpressure',
};

/** Escapes the three characters Slack and Google Chat treat as markup in message text. */
export function escapeAngleMarkup(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** One palette for every service that colours a message: red, amber, green, blue. */
export function notificationColor(n: Pick<AlertNotification, 'kind' | 'severity'>): string {
  if (n.kind === 'resolved') return '#2EB67D';
  if (n.kind === 'test') return '#1A73E8';
  return n.severity === 'critical' ? '#D93025' : '#F29900';
}
