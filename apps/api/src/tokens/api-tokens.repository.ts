import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { type Db, DbService } from '../database/db.service.ts';

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

const COLUMNS = [
  'id',
  'name',
  'scope',
  'created_by as createdBy',
  'created_at as createdAt',
  'expires_at as expiresAt',
  'last_used_at as lastUsedAt',
  'revoked_at as revokedAt',
] as const;

/** A token's last use is written at most this often, so a busy script does not write on every request. */
const LAST_USED_GRANULARITY_SECONDS = 60;

@Injectable()
export class ApiTokensRepository {
  constructor(@Inject(DbService) private readonly db: Db) {}

  async create(input: { name: string; tokenHash: string; scope: string; createdBy: string; expiresAt: Date | null }): Promise<ApiTokenRow> {
    return this.db
      .insertInto('api_tokens')
      .values({
        name: input.name,
        token_hash: input.tokenHash,
        scope: input.scope,
        created_by: input.createdBy,
        expires_at: input.expiresAt,
      })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
  }

  async list(): Promise<ApiTokenRow[]> {
    return this.db.selectFrom('api_tokens').select(COLUMNS).orderBy('created_at', 'desc').orderBy('id').execute();
  }

  /** The token with its creator's current id and role (null creator fields once the user is gone); looked up on every request that carries a token. */
  async findByHash(tokenHash: string): Promise<(ApiTokenRow & TokenCreator) | null> {
    const row = await this.db
      .selectFrom('api_tokens as t')
      .leftJoin('users as u', 'u.username', 't.created_by')
      .select([
        't.id',
        't.name',
        't.scope',
        't.created_by as createdBy',
        't.created_at as createdAt',
        't.expires_at as expiresAt',
        't.last_used_at as lastUsedAt',
        't.revoked_at as revokedAt',
        'u.id as creatorId',
        'u.role as creatorRole',
      ])
      .where('t.token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row ?? null;
  }

  async touch(id: string): Promise<void> {
    await this.db
      .updateTable('api_tokens')
      .set({ last_used_at: sql`now()` })
      .where('id', '=', id)
      .where((eb) =>
        eb.or([
          eb('last_used_at', 'is', null),
          eb('last_used_at', '<', sql<Date>`now() - make_interval(secs => ${LAST_USED_GRANULARITY_SECONDS})`),
        ]),
      )
      .execute();
  }

  /** Marks the token revoked (idempotent). Null when no token has this id. */
  async revoke(id: string): Promise<ApiTokenRow | null> {
    const row = await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: sql`coalesce(revoked_at, now())` })
      .where('id', '=', id)
      .returning(COLUMNS)
      .executeTakeFirst();
    return row ?? null;
  }
}
