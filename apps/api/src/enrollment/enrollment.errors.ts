import { AppError } from '../common/app-error.ts';

export type EnrollmentErrorCode = 'HOST_NOT_FOUND' | 'INVALID_HOST_ID' | 'IDENTITY_IN_USE' | 'ENROLLMENT_RATE_LIMITED';

/** Enrollment and credential management errors; the HTTP filter maps the codes to 404 / 400. */
export class EnrollmentError extends AppError<EnrollmentErrorCode> {}
