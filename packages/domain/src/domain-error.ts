export type DomainErrorCode = 'MALFORMED_PORT_LIST' | 'MALFORMED_PROC_LINE' | 'MALFORMED_SS_LINE' | 'INVALID_RANGE';

/** A parse or validation failure in pure domain code; `code` lets callers map it without string matching. */
export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Shortens a bad input line for an error message so that one huge line cannot flood a log. */
export function excerpt(line: string): string {
  const trimmed = line.trim();
  return trimmed.length > 120 ? `${trimmed.slice(0, 117)}...` : trimmed;
}
