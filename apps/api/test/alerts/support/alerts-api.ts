import {
  alertChannelListSchema,
  alertChannelSchema,
  alertDeliveryListSchema,
  alertDeliverySchema,
  alertIncidentListSchema,
  alertIncidentSchema,
  alertRuleListSchema,
  alertRuleSchema,
  apiErrorSchema,
  type AlertChannel,
  type AlertChannelInput,
  type AlertDelivery,
  type AlertIncident,
  type AlertRule,
  type AlertRuleInput,
  type ApiError,
  type IncidentFilter,
} from '@portpressure/protocol';
import type { z } from 'zod';

/** Settings that make the alert pipeline fast enough for tests (backoff bases, polls, timer). */
export const FAST_ALERTS_ENV: Record<string, string> = {
  PORTPRESSURE_PUBLIC_URL: 'https://portpressure.example.com',
  PORTPRESSURE_ALERT_TICK_SECONDS: '1',
  PORTPRESSURE_DELIVERY_POLL_MS: '100',
  PORTPRESSURE_DELIVERY_TIMEOUT_MS: '1000',
  PORTPRESSURE_DELIVERY_BACKOFF_BASE_MS: '50',
  PORTPRESSURE_DELIVERY_BACKOFF_MAX_MS: '400',
  PORTPRESSURE_DELIVERY_MAX_ATTEMPTS: '8',
  // The tests' webhook receivers listen on loopback, which webhooks may reach only when allowed.
  PORTPRESSURE_WEBHOOK_ALLOW: '127.0.0.0/8',
};

export type Fetcher = (path: string, init?: RequestInit) => Promise<Response>;

/** Thrown for a non-2xx answer, carrying the API's error body. */
export class ApiCallFailed extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiError | string,
  ) {
    super(`HTTP ${status}: ${typeof body === 'string' ? body : `${body.code} ${body.message}`}`);
  }
}

/** The alerting REST API as a test drives it, every answer checked against the protocol schemas. */
export class AlertsApi {
  constructor(private readonly fetcher: Fetcher) {}

  async call<S extends z.ZodType>(method: string, path: string, schema: S | null, body?: unknown): Promise<z.output<S>> {
    const res = await this.fetcher(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) {
      const parsed = text === '' ? null : apiErrorSchema.safeParse(JSON.parse(text));
      throw new ApiCallFailed(res.status, parsed?.success ? parsed.data : text);
    }
    return schema === null ? (undefined as z.output<S>) : schema.parse(JSON.parse(text));
  }

  async rules(): Promise<AlertRule[]> {
    return (await this.call('GET', '/api/alerts/rules', alertRuleListSchema)).rules;
  }

  createRule(input: AlertRuleInput): Promise<AlertRule> {
    return this.call('POST', '/api/alerts/rules', alertRuleSchema, input);
  }

  updateRule(id: string, input: AlertRuleInput): Promise<AlertRule> {
    return this.call('PUT', `/api/alerts/rules/${id}`, alertRuleSchema, input);
  }

  async deleteRule(id: string): Promise<void> {
    await this.call('DELETE', `/api/alerts/rules/${id}`, null);
  }

  /** Deletes every rule (the defaults included) and creates these instead. */
  async replaceRules(inputs: AlertRuleInput[]): Promise<AlertRule[]> {
    for (const rule of await this.rules()) await this.deleteRule(rule.id);
    const created: AlertRule[] = [];
    for (const input of inputs) created.push(await this.createRule(input));
    return created;
  }

  async channels(): Promise<AlertChannel[]> {
    return (await this.call('GET', '/api/alerts/channels', alertChannelListSchema)).channels;
  }

  createChannel(input: AlertChannelInput): Promise<AlertChannel> {
    return this.call('POST', '/api/alerts/channels', alertChannelSchema, input);
  }

  /** A webhook channel to `webhookUrl` that signs what it sends with `secret`. */
  createWebhookChannel(name: string, webhookUrl: string, secret: string): Promise<AlertChannel> {
    return this.createChannel({ name, type: 'webhook', settings: { webhookUrl, secret } });
  }

  updateChannel(id: string, input: AlertChannelInput): Promise<AlertChannel> {
    return this.call('PUT', `/api/alerts/channels/${id}`, alertChannelSchema, input);
  }

  sendTest(id: string): Promise<AlertDelivery> {
    return this.call('POST', `/api/alerts/channels/${id}/test`, alertDeliverySchema);
  }

  async incidents(status: IncidentFilter = 'all'): Promise<AlertIncident[]> {
    return (await this.call('GET', `/api/alerts/incidents?status=${status}`, alertIncidentListSchema)).incidents;
  }

  acknowledge(id: string): Promise<AlertIncident> {
    return this.call('POST', `/api/alerts/incidents/${id}/acknowledge`, alertIncidentSchema);
  }

  silence(id: string, durationSeconds: number): Promise<AlertIncident> {
    return this.call('POST', `/api/alerts/incidents/${id}/silence`, alertIncidentSchema, { durationSeconds });
  }

  async deliveries(query = ''): Promise<AlertDelivery[]> {
    return (await this.call('GET', `/api/alerts/deliveries${query}`, alertDeliveryListSchema)).deliveries;
  }
}
