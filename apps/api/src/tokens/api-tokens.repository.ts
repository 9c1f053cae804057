import { Inject, Injectable } from '@nestjs/common';
import { PgPoolService } from '../database/pg-pool.service.ts';

export interface ApiTokenRow {
  id: string;
  name: string;
  scope: string;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** Who created a token, as that user is now: a token never grants more than its creator has. */
export interface TokenCreator {
  creatorId: string | null;
  creatorRole: string | null;
}

const COLUMNS = `id, name, scope, created_by AS "createdBy", created_at AS "createdAt", expires_at AS "expiresAt",
  last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"`;

const JOINED_COLUMNS = `t.id, t.name, t.scope, t.created_by AS "createdBy", t.created_at AS "createdAt",
  t.expires_at AS "expiresAt", t.last_used_at AS "lastUsedAt", t.revoked_at AS "revokedAt"`;

/** A token's last use is written at most this often, so a busy script does not write on every request. */
const LAST_USED_GRANULARITY_SECONDS = 60;

@Injectable()
export class ApiTokensRepository {
  // Looked up on every request that carries a token: plain pg, like the session lookup.
  constructor(@Inject(PgPoolService) private readonly pool: PgPoolService) {}

  async create(input: { name: string; tokenHash: string; scope: string; createdBy: string; expiresAt: Date | null }): Promise<ApiTokenRow> {
    const { rows } = await this.pool.query<ApiTokenRow>(
      `INSERT INTO api_tokens (name, token_hash, scope, created_by, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      [input.name, input.tokenHash, input.scope, input.createdBy, input.expiresAt],
    );
    const row = rows[0];
    if (!row) throw new Error('token insert returned no row');
    return row;
  }

  async list(): Promise<ApiTokenRow[]> {
    const { rows } = await this.pool.query<ApiTokenRow>(`SELECT ${COLUMNS} FROM api_tokens ORDER BY created_at DESC, id`);
    return rows;
  }

  /** The token with its creator's current id and role (null creator fields once the user is gone). */
  async findByHash(tokenHash: string): Promise<(ApiTokenRow & TokenCreator) | null> {
    const { rows } = await this.pool.query<ApiTokenRow & TokenCreator>(
      `SELECT ${JOINED_COLUMNS}, u.id AS "creatorId", u.role AS "creatorRole"
       FROM api_tokens t LEFT JOIN users u ON u.username = t.created_by
       WHERE t.token_hash = $1`,
      [tokenHash],
    );
    return rows[0] ?? null;
  }

  async touch(id: string): Promise<void> {
    await this.pool.query(
      `UPDATE api_tokens SET last_used_at = now()
       WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))`,
      [id, LAST_USED_GRANULARITY_SECONDS],
    );
  }

  /** Marks the token revoked (idempotent). Null when no token has this id. */
  async revoke(id: string): Promise<ApiTokenRow | null> {
    const { rows } = await this.pool.query<ApiTokenRow>(
      `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING ${COLUMNS}`,
      [id],
    );
    return rows[0] ?? null;
  }
}
