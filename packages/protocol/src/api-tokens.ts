import * as z from 'zod';

/** Prefix of every API token, so a leaked one is recognisable (and greppable by secret scanners). */
export const API_TOKEN_PREFIX = 'ppt_';

/** `read`: GET requests and `/metrics` only. `write`: every route its creator may use. */
export const apiTokenScopeSchema = z.enum(['read', 'write']);
export type ApiTokenScope = z.infer<typeof apiTokenScopeSchema>;

/** `POST /api/tokens` body. */
export const createApiTokenRequestSchema = z.object({
  name: z.string().trim().min(1, 'name is required').max(100),
  scope: apiTokenScopeSchema.default('read'),
  /** Days until the token stops working; null: never. */
  expiresInDays: z.number().int().min(1).max(3650).nullable().default(90),
});
export type CreateApiTokenRequest = z.input<typeof createApiTokenRequestSchema>;

/** A token as listed: never the token itself. */
export const apiTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  scope: apiTokenScopeSchema,
  createdBy: z.string(),
  createdAt: z.string(),
  /** ISO 8601, or null when it never expires. */
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  /** Usable now: not revoked and not expired. */
  active: z.boolean(),
});
export type ApiToken = z.infer<typeof apiTokenSchema>;

export const apiTokenListSchema = z.object({ tokens: z.array(apiTokenSchema) });
export type ApiTokenList = z.infer<typeof apiTokenListSchema>;

/** `POST /api/tokens` answer: the only time the token is shown. */
export const createdApiTokenSchema = z.object({
  token: z.string(),
  apiToken: apiTokenSchema,
});
export type CreatedApiToken = z.infer<typeof createdApiTokenSchema>;
