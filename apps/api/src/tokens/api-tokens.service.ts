import { Injectable } from '@nestjs/common';
import {
  API_TOKEN_PREFIX,
  createApiTokenRequestSchema,
  type ApiToken,
  type ApiTokenList,
  type CreatedApiToken,
} from '@portpressure/protocol';
import { hashSecret, newSecret } from '../enrollment/secret-token.ts';
import { ApiTokensRepository, type ApiTokenRow } from './api-tokens.repository.ts';
import { TokenError } from './tokens.errors.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toView(row: ApiTokenRow, now = Date.now()): ApiToken {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope === 'write' ? 'write' : 'read',
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    active: row.revokedAt === null && (row.expiresAt === null || row.expiresAt.getTime() > now),
  };
}

/** Creating, listing and revoking API tokens. Checking one on a request is ApiTokenAuth's job. */
@Injectable()
export class ApiTokensService {
  constructor(private readonly repository: ApiTokensRepository) {}

  async create(body: unknown, createdBy: string): Promise<CreatedApiToken> {
    const parsed = createApiTokenRequestSchema.safeParse(body ?? {});
    if (!parsed.success) {
      throw new TokenError(
        'INVALID_API_TOKEN_REQUEST',
        `send JSON {"name": "…", "scope": "read" | "write", "expiresInDays": 1…3650 | null}: ${parsed.error.issues
          .map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
          .join('; ')}`,
      );
    }
    const { name, scope, expiresInDays } = parsed.data;
    const token = newSecret(API_TOKEN_PREFIX);
    const expiresAt = expiresInDays === null ? null : new Date(Date.now() + expiresInDays * 86_400_000);
    const row = await this.repository.create({ name, tokenHash: hashSecret(token), scope, createdBy, expiresAt });
    return { token, apiToken: toView(row) };
  }

  async list(): Promise<ApiTokenList> {
    const now = Date.now();
    return { tokens: (await this.repository.list()).map((r) => toView(r, now)) };
  }

  async revoke(id: string): Promise<ApiToken> {
    const row = UUID.test(id) ? await this.repository.revoke(id) : null;
    if (!row) throw new TokenError('API_TOKEN_NOT_FOUND', `no API token with id ${id}`);
    return toView(row);
  }
}
