import type { AgentErrorCode } from '@portpressure/protocol';
import { AppError } from '../common/app-error.ts';

/** An agent frame was refused; the gateway turns the code into an error frame or a close code. */
export class IngestError extends AppError<AgentErrorCode> {
  constructor(
    code: AgentErrorCode,
    message: string,
    /** Whether the connection is closed after the error frame. */
    readonly fatal = false,
  ) {
    super(code, message);
  }
}
