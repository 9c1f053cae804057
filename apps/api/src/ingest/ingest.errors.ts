import type { AgentErrorCode } from '@portpressure/protocol';
import { AppError } from '../common/app-error.ts';

/** An agent frame was refused; the connection turns the code into an error frame and, when fatal, a close code. */
export class IngestError extends AppError<AgentErrorCode> {
  constructor(
    code: AgentErrorCode,
    message: string,
    /** Whether the connection is closed after the error frame. */
    readonly fatal = false,
    /** The refused snapshot's sequence number, when there is one. */
    readonly seq?: number,
  ) {
    super(code, message);
  }
}
