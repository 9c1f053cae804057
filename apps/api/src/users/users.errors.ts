import { AppError } from '../common/app-error.ts';

export type UsersErrorCode = 'USER_NOT_FOUND' | 'USER_EXISTS' | 'LAST_ADMIN' | 'INVALID_USER';

/** Errors of user management; HTTP_STATUS_BY_CODE (common/app-error.ts) maps the codes. */
export class UsersError extends AppError<UsersErrorCode> {}
