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
  LOGIN_BUSY: 503,
  IDENTITY_IN_USE: 409,
  INVALID_QUERY: 400,
  INVALID_TOKEN: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_REVOKED: 401,
  TOKEN_READ_ONLY: 403,
  TOKEN_NOT_ALLOWED: 403,
  API_TOKEN_NOT_FOUND: 404,
  INVALID_API_TOKEN_REQUEST: 400,
  FORBIDDEN: 403,
  PASSWORD_LOGIN_DISABLED: 403,
  SSO_NOT_CONFIGURED: 404,
  SSO_FAILED: 401,
  USER_NOT_FOUND: 404,
  USER_EXISTS: 409,
  LAST_ADMIN: 409,
  INVALID_USER: 400,
};
