export type CollectErrorCode =
  | 'INVALID_OPTION'
  | 'SYSCTL_UNREADABLE'
  | 'SYSCTL_INVALID'
  | 'PROC_UNREADABLE'
  | 'SS_MISSING'
  | 'SS_FAILED'
  | 'MALFORMED_OUTPUT';

/** Why the kernel could not be read. `check` maps any of these to exit code 3 (UNKNOWN). */
export class CollectError extends Error {
  override readonly name = 'CollectError';

  constructor(
    readonly code: CollectErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The errno code of a Node system error, if it is one. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}
