/** Base of every feature's error: a machine-readable code and a message for people. */
export class AppError<C extends string = string> extends Error {
  constructor(
    readonly code: C,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** HTTP status for each error code; codes not listed map to 400. */
export const HTTP_STATUS_BY_CODE: Record<string, number> = {
  HOST_NOT_FOUND: 404,
  INVALID_HOST_ID: 400,
  VALIDATION_FAILED: 400,
  NOT_FOUND: 404,
  ALERT_RULE_NOT_FOUND: 404,
  ALERT_CHANNEL_NOT_FOUND: 404,
  ALERT_INCIDENT_NOT_FOUND: 404,
  ALERT_DELIVERY_NOT_FOUND: 404,
  INVALID_ALERT_RULE: 400,
  INVALID_ALERT_CHANNEL: 400,
  INVALID_ALERT_QUERY: 400,
  INCIDENT_NOT_FIRING: 409,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  LOGIN_RATE_LIMITED: 429,
  INVALID_QUERY: 400,
  AGENT_NOT_BUILT: 503,
  AGENT_DOWNLOAD_NOT_FOUND: 404,
  INSTALL_URL_UNSAFE: 400,
};
