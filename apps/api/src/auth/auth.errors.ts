import { AppError } from '../common/app-error.ts';

export type AuthErrorCode =
  | 'UNAUTHENTICATED'
  | 'INVALID_CREDENTIALS'
  | 'LOGIN_RATE_LIMITED'
  | 'LOGIN_BUSY'
  | 'FORBIDDEN'
  | 'PASSWORD_LOGIN_DISABLED'
  | 'SSO_NOT_CONFIGURED'
  | 'SSO_FAILED';

export class AuthError extends AppError<AuthErrorCode> {
  constructor(
    code: AuthErrorCode,
    message: string,
    /** For LOGIN_RATE_LIMITED and LOGIN_BUSY: seconds until another attempt is allowed (the Retry-After header). */
    readonly retryAfterSeconds?: number,
  ) {
    super(code, message);
  }
}
