import { AppError } from '../common/app-error.ts';

export type TokenErrorCode =
  | 'INVALID_TOKEN'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_REVOKED'
  | 'TOKEN_READ_ONLY'
  | 'TOKEN_NOT_ALLOWED'
  | 'API_TOKEN_NOT_FOUND'
  | 'INVALID_API_TOKEN_REQUEST';

export class TokenError extends AppError<TokenErrorCode> {}
