import { AppError } from '../common/app-error.ts';

export class HostsError extends AppError<'HOST_NOT_FOUND' | 'INVALID_HOST_ID'> {}
