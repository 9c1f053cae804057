import { roleAtLeast, type Role, type SessionInfo } from '@portpressure/protocol';
import { createContext, useContext, type ReactNode } from 'react';

/** The signed-in session, for pages that show or hide what the user's role allows. */
export const SessionContext = createContext<SessionInfo | null>(null);

export function useSession(): SessionInfo | null {
  return useContext(SessionContext);
}

/** Whether the signed-in user has at least `role`. The API enforces it; this only hides what would be refused. */
export function useCan(role: Role): boolean {
  const session = useContext(SessionContext);
  return session !== null && roleAtLeast(session.role, role);
}

/** Renders its children only for users with at least `role`. */
export function RequireRole({ role, children }: { role: Role; children: ReactNode }) {
  return useCan(role) ? <>{children}</> : null;
}
