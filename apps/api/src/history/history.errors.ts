import { AppError } from '../common/app-error.ts';

export class HistoryError extends AppError<'INVALID_QUERY'> {}
