import {
  alertChannelListSchema,
  alertChannelSchema,
  alertDeliveryListSchema,
  alertDeliverySchema,
  alertIncidentListSchema,
  alertIncidentSchema,
  alertRuleKindListSchema,
  alertRuleListSchema,
  alertRuleSchema,
  channelTypeListSchema,
  type AlertChannel,
  type AlertChannelInput,
  type AlertDelivery,
  type AlertIncident,
  type AlertRule,
  type AlertRuleInput,
  type AlertRuleKindInfo,
  type ChannelTypeInfo,
  type DeliveryStatus,
  type IncidentFilter,
} from '@portpressure/protocol';
import { json, request } from '../api.ts';

// The alerting REST API for the pages under /alerts; every answer is checked with the protocol.

const ignore = (): void => undefined;

export async function fetchIncidents(filter: IncidentFilter, signal?: AbortSignal): Promise<AlertIncident[]> {
  return (await request(`/api/alerts/incidents?status=${filter}&limit=200`, (b) => alertIncidentListSchema.parse(b), { signal })).incidents;
}

export const acknowledgeIncident = (id: string): Promise<AlertIncident> =>
  request(`/api/alerts/incidents/${id}/acknowledge`, (b) => alertIncidentSchema.parse(b), json('POST'));

export const silenceIncident = (id: string, durationSeconds: number): Promise<AlertIncident> =>
  request(`/api/alerts/incidents/${id}/silence`, (b) => alertIncidentSchema.parse(b), json('POST', { durationSeconds }));

export const unsilenceIncident = (id: string): Promise<AlertIncident> =>
  request(`/api/alerts/incidents/${id}/silence`, (b) => alertIncidentSchema.parse(b), json('DELETE'));

export async function fetchRules(signal?: AbortSignal): Promise<AlertRule[]> {
  return (await request('/api/alerts/rules', (b) => alertRuleListSchema.parse(b), { signal })).rules;
}

export async function fetchRuleKinds(signal?: AbortSignal): Promise<AlertRuleKindInfo[]> {
  return (await request('/api/alerts/rule-kinds', (b) => alertRuleKindListSchema.parse(b), { signal })).kinds;
}

/** Creates (id null: POST to `base`) or replaces (PUT to `base/id`) one object, checked with `parse`. */
const saver =
  <I, T>(base: string, parse: (body: unknown) => T) =>
  (id: string | null, input: I): Promise<T> =>
    request(id === null ? base : `${base}/${id}`, parse, json(id === null ? 'POST' : 'PUT', input));

export const saveRule = saver<AlertRuleInput, AlertRule>('/api/alerts/rules', (b) => alertRuleSchema.parse(b));

export const deleteRule = (id: string): Promise<void> => fetchNoContent(`/api/alerts/rules/${id}`);

export async function fetchChannels(signal?: AbortSignal): Promise<AlertChannel[]> {
  return (await request('/api/alerts/channels', (b) => alertChannelListSchema.parse(b), { signal })).channels;
}

export async function fetchChannelTypes(signal?: AbortSignal): Promise<ChannelTypeInfo[]> {
  return (await request('/api/alerts/channel-types', (b) => channelTypeListSchema.parse(b), { signal })).types;
}

export const saveChannel = saver<AlertChannelInput, AlertChannel>('/api/alerts/channels', (b) => alertChannelSchema.parse(b));

export const deleteChannel = (id: string): Promise<void> => fetchNoContent(`/api/alerts/channels/${id}`);

export const testChannel = (id: string): Promise<AlertDelivery> =>
  request(`/api/alerts/channels/${id}/test`, (b) => alertDeliverySchema.parse(b), json('POST'));

export async function fetchDeliveries(status: DeliveryStatus | 'all', signal?: AbortSignal): Promise<AlertDelivery[]> {
  const q = status === 'all' ? '' : `&status=${status}`;
  return (await request(`/api/alerts/deliveries?limit=200${q}`, (b) => alertDeliveryListSchema.parse(b), { signal })).deliveries;
}

/** DELETE answers 204 without a body; `request` still handles 401 and error bodies. */
async function fetchNoContent(path: string): Promise<void> {
  await request(path, ignore, json('DELETE')).catch((e: unknown) => {
    // 204 has no JSON to parse; anything else is a real error.
    if (e instanceof SyntaxError) return;
    throw e;
  });
}
