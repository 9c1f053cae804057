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
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  LOGIN_RATE_LIMITED: 429,
  INVALID_QUERY: 400,
};
