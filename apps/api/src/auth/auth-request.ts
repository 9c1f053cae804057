import type { Request } from 'express';
import type { SessionInfo } from '@portpressure/protocol';

// Kept beside the request rather than on it, so no global Express type is augmented.
const sessions = new WeakMap<Request, SessionInfo>();

export function setRequestSession(req: Request, session: SessionInfo): void {
  sessions.set(req, session);
}

/** The session AuthGuard found for this request (undefined on public routes). */
export function getRequestSession(req: Request): SessionInfo | undefined {
  return sessions.get(req);
}
