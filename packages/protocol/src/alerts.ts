import * as z from 'zod';
import { labelsSchema } from './messages.ts';
import { ipAddressSchema } from './report.ts';

// REST contract of alerting: rules, incidents, notification channels and the delivery log.

const isoTime = z.iso.datetime({ offset: true });
const DAY = 86_400;

export const alertRuleKindSchema = z.enum(['pressure', 'forecast', 'offline']);
export type AlertRuleKind = z.infer<typeof alertRuleKindSchema>;
export const alertSeveritySchema = z.enum(['warning', 'critical']);
export type AlertSeverity = z.infer<typeof alertSeveritySchema>;

/**
 * Pressure rule: a tuple's pressure at or above `threshold` for `sustainSnapshots` snapshots in a
 * row fires; it resolves only once pressure drops below `threshold − resolveMargin`, so a value
 * hovering at the threshold does not flap.
 */
export const pressureRuleParamsSchema = z
  .object({
    threshold: z.number().gt(0).max(1),
    resolveMargin: z.number().min(0).max(0.5).default(0.05),
    sustainSnapshots: z.number().int().min(1).max(1000).default(3),
  })
  .refine((p) => p.threshold - p.resolveMargin > 0, {
    message: 'resolveMargin must be smaller than threshold',
    path: ['resolveMargin'],
  });
export type PressureRuleParams = z.infer<typeof pressureRuleParamsSchema>;

/**
 * Forecast rule: a least-squares line through the tuple's `used − reclaimable` over the trailing
 * `windowSeconds` reaches `usable` within `withinSeconds`, for `sustainSnapshots` snapshots in a
 * row, with at least `minSamples` points in the window, on a tuple at `minPressure` or more. It
 * resolves once growth stops or the forecast moves beyond `withinSeconds × (1 + resolveMargin)`.
 */
export const forecastRuleParamsSchema = z.object({
  withinSeconds: z
    .number()
    .int()
    .min(10)
    .max(30 * DAY),
  /**
   * Tuples below this pressure are not forecast: one or two ports more on a nearly idle tuple
   * extrapolate to "runs out soon" in a small range, which is noise, not a trend.
   */
  minPressure: z.number().min(0).max(1).default(0.1),
  windowSeconds: z
    .number()
    .int()
    .min(10)
    .max(7 * DAY)
    .default(600),
  minSamples: z.number().int().min(3).max(10_000).default(5),
  sustainSnapshots: z.number().int().min(1).max(1000).default(2),
  resolveMargin: z.number().min(0).max(10).default(0.5),
});
export type ForecastRuleParams = z.infer<typeof forecastRuleParamsSchema>;

/** Offline rule: the host has sent no snapshot for `afterSeconds`; resolves when it reports again. */
export const offlineRuleParamsSchema = z.object({
  afterSeconds: z
    .number()
    .int()
    .min(10)
    .max(30 * DAY),
});
export type OfflineRuleParams = z.infer<typeof offlineRuleParamsSchema>;

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
export const alertRuleInputSchema = z.discriminatedUnion('kind', [
  z.object({ ...ruleCommon, kind: z.literal('pressure'), params: pressureRuleParamsSchema }),
  z.object({ ...ruleCommon, kind: z.literal('forecast'), params: forecastRuleParamsSchema }),
  z.object({ ...ruleCommon, kind: z.literal('offline'), params: offlineRuleParamsSchema }),
]);
export type AlertRuleInput = z.input<typeof alertRuleInputSchema>;
export type AlertRuleDefinition = z.output<typeof alertRuleInputSchema>;

const storedRule = { id: z.uuid(), createdAt: isoTime, updatedAt: isoTime };

/** A stored rule as the API returns it. */
export const alertRuleSchema = z.discriminatedUnion('kind', [
  z.object({ ...ruleCommon, ...storedRule, kind: z.literal('pressure'), params: pressureRuleParamsSchema }),
  z.object({ ...ruleCommon, ...storedRule, kind: z.literal('forecast'), params: forecastRuleParamsSchema }),
  z.object({ ...ruleCommon, ...storedRule, kind: z.literal('offline'), params: offlineRuleParamsSchema }),
]);
export type AlertRule = z.output<typeof alertRuleSchema>;

export const alertRuleListSchema = z.object({ rules: z.array(alertRuleSchema) });
export type AlertRuleList = z.infer<typeof alertRuleListSchema>;

/** The destination tuple an incident is about. */
export const alertTupleSchema = z.object({
  protocol: z.literal('tcp'),
  localAddress: ipAddressSchema,
  remoteAddress: ipAddressSchema,
  remotePort: z.number().int().min(1).max(65_535),
});
export type AlertTuple = z.infer<typeof alertTupleSchema>;

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
