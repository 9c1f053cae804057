import * as z from 'zod';

/**
 * What a user may do. `viewer` reads everything except user accounts; `editor` also changes
 * rules, channels, incidents and hosts; `admin` also manages users and settings.
 */
export const roleSchema = z.enum(['viewer', 'editor', 'admin']);
export type Role = z.infer<typeof roleSchema>;

/** Each role includes the rights of the ones before it. */
export const ROLE_ORDER: readonly Role[] = ['viewer', 'editor', 'admin'];

export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLE_ORDER.indexOf(role) >= ROLE_ORDER.indexOf(needed);
}

const usernameSchema = z
  .string()
  .min(1, 'username is required')
  .max(64)
  .regex(/^[\w.@+-]+$/, 'username may hold letters, digits and . _ @ + - only');
const newPasswordSchema = z.string().min(8, 'password must be at least 8 characters').max(1024);

/** One account as the users endpoints return it: never its password hash. */
export const userSchema = z.object({
  id: z.string(),
  username: z.string(),
  role: roleSchema,
  /** Whether a password is set (single-sign-on users have none unless an admin sets one). */
  hasPassword: z.boolean(),
  /** Set when the user signs in through the identity provider. */
  sso: z.boolean(),
  /** Live sign-in sessions. */
  sessions: z.number().int().min(0),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type User = z.infer<typeof userSchema>;

export const userListSchema = z.object({ users: z.array(userSchema) });
export type UserList = z.infer<typeof userListSchema>;

/** `POST /api/users`. */
export const userCreateSchema = z.object({
  username: usernameSchema,
  role: roleSchema.default('viewer'),
  password: newPasswordSchema,
});
export type UserCreate = z.infer<typeof userCreateSchema>;

/** `PATCH /api/users/:id`. */
export const userUpdateSchema = z.object({ role: roleSchema });
export type UserUpdate = z.infer<typeof userUpdateSchema>;

/** `POST /api/users/:id/password`: an admin sets a new password; the user's sessions end. */
export const passwordResetSchema = z.object({ password: newPasswordSchema });
export type PasswordReset = z.infer<typeof passwordResetSchema>;

/** One entry of the audit log: who did what to which object, with the object before and after. */
export const auditEventSchema = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
});
export type AuditEvent = z.infer<typeof auditEventSchema>;

export const auditEventListSchema = z.object({
  events: z.array(auditEventSchema),
  /** Pass as `before` for the next (older) page; null at the end. */
  nextBefore: z.string().nullable(),
});
export type AuditEventList = z.infer<typeof auditEventListSchema>;

/** `GET /api/audit` query. */
export const auditQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** Only events with a smaller id (paging). */
  before: z
    .string()
    .regex(/^\d{1,19}$/, 'before must be an event id')
    .optional(),
  entityType: z.enum(['rule', 'channel', 'user', 'host', 'incident', 'egress-limit']).optional(),
});

/** `GET /api/auth/methods`: what the sign-in page offers. Public. */
export const authMethodsSchema = z.object({
  password: z.boolean(),
  /** Set when single sign-on is configured: the button's label. */
  sso: z.object({ label: z.string() }).nullable(),
});
export type AuthMethods = z.infer<typeof authMethodsSchema>;
