import { AppError } from '../common/app-error.ts';

export class NamespacesError extends AppError<'NAMESPACE_NOT_FOUND' | 'INVALID_NAMESPACE_ID' | 'INVALID_QUERY'> {}
