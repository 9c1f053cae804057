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
