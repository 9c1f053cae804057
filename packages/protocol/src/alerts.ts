import * as z from 'zod';
import { labelsSchema } from './messages.ts';
import { conntrackSchema, kernelCounterDeltaSchema } from './diagnostics.ts';
import { tupleKeySchema } from './report.ts';
import { isoTimeSchema as isoTime } from './wire-primitives.ts';

// REST contract of alerting: rules, incidents, notification channels and the delivery log.

const DAY = 86_400;

/**
 * A rule kind's name (`pressure`, `forecast`, `offline`, …). The API's rule-kind registry is the
 * list of valid names and of each kind's settings (served by `GET /api/alerts/rule-kinds`), so the
 * wire carries the name as a string and the API refuses kinds it has no definition for.
 */
export const alertRuleKindSchema = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be a rule kind such as pressure');
export type AlertRuleKind = z.infer<typeof alertRuleKindSchema>;
export const alertSeveritySchema = z.enum(['warning', 'critical']);
export type AlertSeverity = z.infer<typeof alertSeveritySchema>;

/** A rule's settings; the API checks them against its kind's own schema and fills its defaults. */
export const alertRuleParamsSchema = z.record(z.string(), z.unknown());
export type AlertRuleParams = z.infer<typeof alertRuleParamsSchema>;

/**
 * How a form shows one setting of a rule kind: `percent` is a ratio shown × 100, `minutes` is a
 * number of seconds shown in minutes, `count` a whole number. `default` is in the stored unit.
 */
export const alertRuleFieldSchema = z.object({
  key: z.string(),
  label: z.string(),
  unit: z.enum(['percent', 'minutes', 'count']),
  default: z.number(),
  hint: z.string().optional(),
});
export type AlertRuleField = z.infer<typeof alertRuleFieldSchema>;

/** `GET /api/alerts/rule-kinds`: every kind the server evaluates, with its form. */
export const alertRuleKindInfoSchema = z.object({
  kind: alertRuleKindSchema,
  displayName: z.string(),
  fields: z.array(alertRuleFieldSchema),
});
export type AlertRuleKindInfo = z.infer<typeof alertRuleKindInfoSchema>;
export const alertRuleKindListSchema = z.object({ kinds: z.array(alertRuleKindInfoSchema) });
export type AlertRuleKindList = z.infer<typeof alertRuleKindListSchema>;

/** Which hosts a rule watches: one host, hosts carrying every listed label, or (both empty) all. */
export const alertRuleScopeSchema = z.object({
  hostId: z.uuid().nullable().default(null),
  labels: labelsSchema.default({}),
});
export type AlertRuleScope = z.infer<typeof alertRuleScopeSchema>;

const ruleCommon = {
  name: z.string().trim().min(1).max(200),
  severity: alertSeveritySchema,
  enabled: z.boolean().default(true),
  scope: alertRuleScopeSchema.default({ hostId: null, labels: {} }),
  /** Channels to notify; empty means every enabled channel. */
  channelIds: z.array(z.uuid()).max(100).default([]),
  /** Seconds between "still firing" reminders; 0 sends none. */
  repeatIntervalSeconds: z
    .number()
    .int()
    .min(0)
    .max(30 * DAY)
    .default(4 * 3600),
};

/** `POST /api/alerts/rules`, `PUT /api/alerts/rules/:id`: a rule as the user writes it. */
export const alertRuleInputSchema = z.object({ ...ruleCommon, kind: alertRuleKindSchema, params: alertRuleParamsSchema });
export type AlertRuleInput = z.input<typeof alertRuleInputSchema>;
export type AlertRuleDefinition = z.output<typeof alertRuleInputSchema>;

const storedRule = { id: z.uuid(), createdAt: isoTime, updatedAt: isoTime };

/** A stored rule as the API returns it, its params complete (defaults filled in) and its condition in words. */
export const alertRuleSchema = z.object({
  ...ruleCommon,
  ...storedRule,
  kind: alertRuleKindSchema,
  params: alertRuleParamsSchema,
  /** e.g. "pressure ≥ 66.7 % for 3 snapshots (resolves below 61.7 %)", written by the rule's kind. */
  condition: z.string(),
});
export type AlertRule = z.output<typeof alertRuleSchema>;

export const alertRuleListSchema = z.object({ rules: z.array(alertRuleSchema) });
export type AlertRuleList = z.infer<typeof alertRuleListSchema>;

/** The destination tuple an incident is about. */
export const alertTupleSchema = tupleKeySchema;
export type AlertTuple = z.infer<typeof alertTupleSchema>;

/**
 * The network namespace an incident is about, when it is not the host's own (a pod, a container,
 * an `ip netns`): its inode and the name people know it by, e.g. "pod shop/cart-7d9f".
 */
export const alertNamespaceSchema = z.object({
  inode: z.number().int().positive(),
  label: z.string().min(1).max(600),
});
export type AlertNamespace = z.infer<typeof alertNamespaceSchema>;

/** The figures that made (or kept) an incident fire, as of its latest evaluation. */
export const alertMeasurementSchema = z.object({
  pressure: z.number().min(0).max(1).optional(),
  used: z.number().int().min(0).optional(),
  usable: z.number().int().min(0).optional(),
  timeWait: z.number().int().min(0).optional(),
  timeWaitShare: z.number().min(0).max(1).optional(),
  /** Forecast moment of exhaustion; null when usage is flat or falling. */
  exhaustsAt: isoTime.nullable().optional(),
  /** Growth of used − reclaimable in ports per second, from the least-squares fit. */
  slopePerSecond: z.number().optional(),
  /** Offline rule: when the host last reported. */
  lastSeenAt: isoTime.nullable().optional(),
  /** Conntrack rule: the table's count and maximum and the failure counters' growth since the previous snapshot. */
  conntrack: conntrackSchema.optional(),
  /** Kernel counters that grew since the previous snapshot and show ports being recycled or lost ("the kernel is already recycling"). */
  kernelEvidence: z.array(kernelCounterDeltaSchema).optional(),
  /** Egress rule: the group, the destination (address:port), its connections summed over the group, and its limit. */
  egressGroup: z.string().optional(),
  destination: z.string().optional(),
  connections: z.number().int().min(0).optional(),
  limit: z.number().int().min(1).optional(),
  /** connections / limit; above 1 when over. */
  share: z.number().min(0).optional(),
});
export type AlertMeasurement = z.infer<typeof alertMeasurementSchema>;

export const alertIncidentStatusSchema = z.enum(['firing', 'resolved']);
export type AlertIncidentStatus = z.infer<typeof alertIncidentStatusSchema>;

/** One incident: a rule holding for one host (and tuple), from firing to resolved. */
export const alertIncidentSchema = z.object({
  id: z.uuid(),
  /** Null once the rule was deleted; name, kind and severity are kept as they were. */
  ruleId: z.uuid().nullable(),
  ruleName: z.string(),
  ruleKind: alertRuleKindSchema,
  severity: alertSeveritySchema,
  /** Stable identity: rule + host + tuple where relevant. */
  groupKey: z.string(),
  host: z.object({ id: z.uuid(), hostname: z.string(), labels: labelsSchema }),
  tuple: alertTupleSchema.nullable(),
  /** The namespace (pod, container, ip netns) when not the host's own; null or absent for the host's. */
  namespace: alertNamespaceSchema.nullable().optional(),
  status: alertIncidentStatusSchema,
  startedAt: isoTime,
  resolvedAt: isoTime.nullable(),
  latest: alertMeasurementSchema,
  acknowledgedAt: isoTime.nullable(),
  acknowledgedBy: z.string().nullable(),
  /** No notifications for this incident until then (its resolution still goes out). */
  silencedUntil: isoTime.nullable(),
  lastNotifiedAt: isoTime.nullable(),
  reminderCount: z.number().int().min(0),
});
export type AlertIncident = z.infer<typeof alertIncidentSchema>;

/** `GET /api/alerts/incidents?status=`: acknowledged means firing and acknowledged. */
export const incidentFilterSchema = z.enum(['firing', 'resolved', 'acknowledged', 'all']);
export type IncidentFilter = z.infer<typeof incidentFilterSchema>;
export const alertIncidentListSchema = z.object({ incidents: z.array(alertIncidentSchema) });
export type AlertIncidentList = z.infer<typeof alertIncidentListSchema>;

/** `POST /api/alerts/incidents/:id/silence`. */
export const silenceIncidentSchema = z.object({
  durationSeconds: z
    .number()
    .int()
    .min(60)
    .max(30 * DAY),
});
export type SilenceIncident = z.infer<typeof silenceIncidentSchema>;

/**
 * A notification provider's name (`slack`, `email`, …). The API's provider registry is the list of
 * valid names (served by `GET /api/alerts/channel-types`), so the wire carries the name as a string
 * and the API refuses names it has no provider for.
 */
export const channelTypeSchema = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be a provider name such as slack');
export type ChannelType = z.infer<typeof channelTypeSchema>;

/** One settings field of a channel type, enough for a form to render it. */
export const channelFieldSchema = z.object({
  key: z.string(),
  label: z.string(),
  input: z.enum(['url', 'text', 'secret', 'boolean', 'select']),
  required: z.boolean(),
  /** Secret fields come back masked; sending the mask back keeps the stored value. */
  secret: z.boolean(),
  options: z.array(z.string()).optional(),
  help: z.string().optional(),
});
export type ChannelField = z.infer<typeof channelFieldSchema>;

/** `GET /api/alerts/channel-types`. */
export const channelTypeInfoSchema = z.object({
  type: channelTypeSchema,
  displayName: z.string(),
  fields: z.array(channelFieldSchema),
});
export type ChannelTypeInfo = z.infer<typeof channelTypeInfoSchema>;
export const channelTypeListSchema = z.object({ types: z.array(channelTypeInfoSchema) });
export type ChannelTypeList = z.infer<typeof channelTypeListSchema>;

const channelSettingValue = z.union([z.string(), z.boolean(), z.number()]);

/** `POST /api/alerts/channels`, `PUT /api/alerts/channels/:id`; settings are checked per type by the API. */
export const alertChannelInputSchema = z.object({
  name: z.string().trim().min(1).max(200),
  type: channelTypeSchema,
  enabled: z.boolean().default(true),
  settings: z.record(z.string(), channelSettingValue),
});
export type AlertChannelInput = z.input<typeof alertChannelInputSchema>;

/** A channel as the API returns it: webhook URLs and secrets are always masked. */
export const alertChannelSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  type: channelTypeSchema,
  enabled: z.boolean(),
  settings: z.record(z.string(), channelSettingValue),
  createdAt: isoTime,
  updatedAt: isoTime,
});
export type AlertChannel = z.infer<typeof alertChannelSchema>;
export const alertChannelListSchema = z.object({ channels: z.array(alertChannelSchema) });
export type AlertChannelList = z.infer<typeof alertChannelListSchema>;

export const deliveryStatusSchema = z.enum(['pending', 'delivered', 'failed']);
export type DeliveryStatus = z.infer<typeof deliveryStatusSchema>;
export const notificationKindSchema = z.enum(['firing', 'resolved', 'reminder', 'test']);
export type NotificationKindName = z.infer<typeof notificationKindSchema>;

/** One HTTP attempt of a delivery; `error` never contains a full webhook URL. */
export const deliveryAttemptSchema = z.object({
  attempt: z.number().int().min(1),
  startedAt: isoTime,
  durationMs: z.number().int().min(0),
  /** delivered; retry (network error, timeout, 5xx, 429); failed (other 4xx, or out of attempts). */
  outcome: z.enum(['delivered', 'retry', 'failed']),
  httpStatus: z.number().int().nullable(),
  error: z.string().nullable(),
  /** The receiver's Retry-After, when it sent one. */
  retryAfterMs: z.number().int().min(0).nullable(),
  /** When the next attempt was scheduled, for outcome retry. */
  nextAttemptAt: isoTime.nullable(),
});
export type DeliveryAttempt = z.infer<typeof deliveryAttemptSchema>;

/** One notification for one channel, as the delivery log shows it. */
export const alertDeliverySchema = z.object({
  id: z.string(),
  notificationId: z.string(),
  kind: notificationKindSchema,
  /** The message's title, e.g. "CRITICAL: Port pressure critical on web-1". */
  title: z.string(),
  channel: z.object({ id: z.uuid(), name: z.string(), type: channelTypeSchema }),
  incidentId: z.uuid().nullable(),
  status: deliveryStatusSchema,
  attempts: z.number().int().min(0),
  nextAttemptAt: isoTime.nullable(),
  lastError: z.string().nullable(),
  createdAt: isoTime,
  deliveredAt: isoTime.nullable(),
  attemptLog: z.array(deliveryAttemptSchema),
});
export type AlertDelivery = z.infer<typeof alertDeliverySchema>;

/** `GET /api/alerts/deliveries?status=&channelId=&incidentId=&limit=`, newest first. */
export const alertDeliveryListSchema = z.object({ deliveries: z.array(alertDeliverySchema) });
export type AlertDeliveryList = z.infer<typeof alertDeliveryListSchema>;
