import { z } from 'zod';
import { AppError } from '../common/app-error.ts';

export type AlertsErrorCode =
  | 'ALERT_RULE_NOT_FOUND'
  | 'ALERT_CHANNEL_NOT_FOUND'
  | 'ALERT_INCIDENT_NOT_FOUND'
  | 'ALERT_DELIVERY_NOT_FOUND'
  | 'INVALID_ALERT_RULE'
  | 'INVALID_ALERT_CHANNEL'
  | 'INVALID_ALERT_QUERY'
  | 'INCIDENT_NOT_FIRING';

/** Errors of alerting's REST edge; HTTP_STATUS_BY_CODE (common/app-error.ts) maps the codes. */
export class AlertsError extends AppError<AlertsErrorCode> {}

/** The `limit` of a list query (`?limit=`): 1-500, 100 by default. */
export const listLimitSchema = z.coerce.number().int().min(1).max(500).default(100);

/**
 * A request's query or body (absent: `{}`) as `schema` reads it; `code` (INVALID_ALERT_QUERY unless
 * told) with zod's account of what does not fit.
 */
export function parseAlertInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  code: AlertsErrorCode = 'INVALID_ALERT_QUERY',
): z.output<S> {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) throw new AlertsError(code, z.prettifyError(parsed.error));
  return parsed.data;
}
