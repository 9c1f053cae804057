import { Inject, Injectable } from '@nestjs/common';
import type { Role } from '@portpressure/protocol';
import { sql } from 'kysely';
import { type Db, DbService } from '../database/db.service.ts';

export interface UserRow {
  id: string;
  username: string;
  /** Null for single-sign-on users without a password. */
  passwordHash: string | null;
  role: Role;
}

export interface SessionRow {
  id: string;
  userId: string;
  username: string;
  role: Role;
  expiresAt: Date;
  lastSeenAt: Date;
}

@Injectable()
export class AuthRepository {
  constructor(@Inject(DbService) private readonly db: Db) {}

  async findUser(username: string): Promise<UserRow | null> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => ['id', 'username', 'password_hash as passwordHash', eb.ref('role').$castTo<Role>().as('role')])
      .where('username', '=', username)
      .executeTakeFirst();
    return row ?? null;
  }

  /** Creates the user unless it exists. True when this call created it (one instance wins a race). */
  async createUserIfMissing(username: string, passwordHash: string, role: Role): Promise<boolean> {
    const row = await this.db
      .insertInto('users')
      .values({ username, password_hash: passwordHash, role })
      .onConflict((oc) => oc.column('username').doNothing())
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }

  /** A new password ends every session of the user. */
  async replacePassword(userId: string, passwordHash: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.updateTable('users').set({ password_hash: passwordHash, updated_at: sql<Date>`now()` }).where('id', '=', userId).execute();
      await tx.deleteFrom('sessions').where('user_id', '=', userId).execute();
    });
  }

  async createSession(id: string, userId: string, expiresAt: Date): Promise<void> {
    await this.db.insertInto('sessions').values({ id, user_id: userId, expires_at: expiresAt }).execute();
  }

  /** The session if it exists and has not expired; every API request looks its session up. */
  async findLiveSession(id: string): Promise<SessionRow | null> {
    const row = await this.db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select((eb) => [
        's.id',
        'u.id as userId',
        'u.username',
        eb.ref('u.role').$castTo<Role>().as('role'),
        's.expires_at as expiresAt',
        's.last_seen_at as lastSeenAt',
      ])
      .where('s.id', '=', id)
      .where('s.expires_at', '>', sql<Date>`now()`)
      .executeTakeFirst();
    return row ?? null;
  }

  async extendSession(id: string, expiresAt: Date): Promise<void> {
    await this.db.updateTable('sessions').set({ expires_at: expiresAt, last_seen_at: sql<Date>`now()` }).where('id', '=', id).execute();
  }

  async deleteSession(id: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', id).execute();
  }

  async deleteExpired(throttleWindowSeconds: number): Promise<void> {
    await this.db.deleteFrom('sessions').where('expires_at', '<=', sql<Date>`now()`).execute();
    await this.db
      .deleteFrom('login_throttles')
      .where('window_start', '<=', sql<Date>`now() - make_interval(secs => ${throttleWindowSeconds})`)
      .execute();
  }

  /**
   * Counts one sign-in attempt for `key` and returns the count in the current window, atomically,
   * so parallel guesses from one address cannot slip past the limit.
   */
  async countAttempt(key: string, windowSeconds: number): Promise<{ attempts: number; windowStart: Date }> {
    const windowOver = sql<boolean>`login_throttles.window_start <= now() - make_interval(secs => ${windowSeconds})`;
    return this.db
      .insertInto('login_throttles')
      .values({ key, attempts: 1, window_start: sql<Date>`now()` })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          attempts: sql<number>`CASE WHEN ${windowOver} THEN 1 ELSE login_throttles.attempts + 1 END`,
          window_start: sql<Date>`CASE WHEN ${windowOver} THEN now() ELSE login_throttles.window_start END`,
        }),
      )
      .returning(['attempts', 'window_start as windowStart'])
      .executeTakeFirstOrThrow();
  }

  async clearAttempts(key: string): Promise<void> {
    await this.db.deleteFrom('login_throttles').where('key', '=', key).execute();
  }
}
