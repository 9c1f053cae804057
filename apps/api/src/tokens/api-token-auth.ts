import { Injectable } from '@nestjs/common';
import { API_TOKEN_PREFIX, roleSchema, type ApiTokenScope, type Role } from '@portpressure/protocol';
import { hashSecret } from '../enrollment/secret-token.ts';
import { ApiTokensRepository } from './api-tokens.repository.ts';
import { TokenError } from './tokens.errors.ts';

/** Who a valid token speaks for. */
export interface TokenPrincipal {
  tokenId: string;
  /** The token's creator: the request acts as this user. */
  username: string;
  userId: string;
  /** The creator's role, capped at viewer for a read-only token. */
  role: Role;
  scope: ApiTokenScope;
  expiresAt: Date | null;
}

// Beside the request rather than on it, as auth-request.ts does for sessions.
const principals = new WeakMap<object, TokenPrincipal>();

export function setRequestToken(req: object, principal: TokenPrincipal): void {
  principals.set(req, principal);
}

/** The API token that authenticated this request, if one did (undefined for a browser session). */
export function getRequestToken(req: object): TokenPrincipal | undefined {
  return principals.get(req);
}

/** Methods a read-only token may use: they change nothing. */
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The token of an `Authorization: Bearer …` header ('' when the scheme is Bearer but the token is
 * missing or malformed); undefined without a Bearer header. Other schemes are not ours: a proxy in
 * front may use Basic authentication, and the browser then sends it along with the session cookie.
 */
export function readBearerToken(authorization: string | undefined): string | undefined {
  if (!authorization || !/^Bearer(\s|$)/i.test(authorization)) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1] ?? '';
}

/**
 * Checks an API token for one request: it must exist, be neither revoked nor expired, and a
 * read-only token may only read. Each refusal has its own code so a script's author sees why.
 */
@Injectable()
export class ApiTokenAuth {
  constructor(private readonly repository: ApiTokensRepository) {}

  async authenticate(token: string, method: string, now = Date.now()): Promise<TokenPrincipal> {
    if (!token.startsWith(API_TOKEN_PREFIX)) {
      throw new TokenError(
        'INVALID_TOKEN',
        `not an API token: send "Authorization: Bearer ${API_TOKEN_PREFIX}…" (create one under Settings → API tokens)`,
      );
    }
    const row = await this.repository.findByHash(hashSecret(token));
    if (!row) throw new TokenError('INVALID_TOKEN', 'unknown API token');
    if (row.revokedAt) throw new TokenError('TOKEN_REVOKED', `API token "${row.name}" was revoked`);
    if (row.expiresAt && row.expiresAt.getTime() <= now)
      throw new TokenError('TOKEN_EXPIRED', `API token "${row.name}" expired at ${row.expiresAt.toISOString()}`);
    const scope: ApiTokenScope = row.scope === 'write' ? 'write' : 'read';
    if (scope === 'read' && !READ_METHODS.has(method.toUpperCase())) {
      throw new TokenError('TOKEN_READ_ONLY', `API token "${row.name}" is read-only; ${method} needs a read-write token`);
    }
    const creatorRole = roleSchema.safeParse(row.creatorRole);
    if (row.creatorId === null || !creatorRole.success) {
      throw new TokenError('TOKEN_REVOKED', `API token "${row.name}" belonged to user "${row.createdBy}", who no longer exists`);
    }
    await this.repository.touch(row.id);
    const role: Role = scope === 'read' ? 'viewer' : creatorRole.data;
    return { tokenId: row.id, username: row.createdBy, userId: row.creatorId, role, scope, expiresAt: row.expiresAt };
  }
}
