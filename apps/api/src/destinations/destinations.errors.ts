import { AppError } from '../common/app-error.ts';

export type DestinationsErrorCode =
  | 'INVALID_ENDPOINT'
  | 'INVALID_EGRESS_REQUEST'
  | 'EGRESS_LIMIT_NOT_FOUND'
  | 'HOST_NOT_FOUND'
  | 'INVALID_QUERY';

export class DestinationsError extends AppError<DestinationsErrorCode> {}
