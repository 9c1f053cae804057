import * as z from 'zod';
import { roleSchema } from './users.ts';

/** Name of the httpOnly cookie that carries a browser's session token. */
export const SESSION_COOKIE = 'portpressure_session';
/** The account the first start creates; its password comes from the environment or is generated. */
export const ADMIN_USERNAME = 'admin';

/** `POST /api/auth/login` body. */
export const loginRequestSchema = z.object({
  /** Defaults to "admin", the account the first start creates. */
  username: z.string().min(1).max(64).default(ADMIN_USERNAME),
  password: z.string().min(1, 'password is required').max(1024),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

/** Who is signed in: `POST /api/auth/login` and `GET /api/auth/me`. */
export const sessionInfoSchema = z.object({
  userId: z.string(),
  username: z.string(),
  /** What this user may do; the UI hides what the role does not allow, the API refuses it. */
  role: roleSchema,
  /** When the session ends unless it is used again (ISO 8601); each use extends it. */
  expiresAt: z.string(),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;
