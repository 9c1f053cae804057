import { Inject, Injectable } from '@nestjs/common';
import type { Role } from '@portpressure/protocol';
import { sql } from 'kysely';
import { type Db, DbService } from '../database/db.service.ts';

export interface UserAccountRow {
  id: string;
  username: string;
  role: Role;
  hasPassword: boolean;
  oidcSubject: string | null;
  sessions: number;
  createdAt: Date;
  updatedAt: Date;
}

/** The users as UserAccountRow, from `users u`. */
function selectUsers(db: Db) {
  return db
    .selectFrom('users as u')
    .select((eb) => [
      'u.id',
      'u.username',
      eb.ref('u.role').$castTo<Role>().as('role'),
      eb('u.password_hash', 'is not', null).$castTo<boolean>().as('hasPassword'),
      'u.oidc_subject as oidcSubject',
      'u.created_at as createdAt',
      'u.updated_at as updatedAt',
      eb
        .selectFrom('sessions as s')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('s.user_id', '=', 'u.id')
        .where('s.expires_at', '>', sql<Date>`now()`)
        .$asScalar()
        .$castTo<number>()
        .as('sessions'),
    ]);
}

/** What a change of admins would leave: refused when no admin would remain. */
export type AdminGuardResult = 'ok' | 'not-found' | 'last-admin';

@Injectable()
export class UsersRepository {
  constructor(@Inject(DbService) private readonly db: Db) {}

  async list(): Promise<UserAccountRow[]> {
    return selectUsers(this.db).orderBy('u.username').execute();
  }

  async findById(id: string): Promise<UserAccountRow | null> {
    return (await selectUsers(this.db).where('u.id', '=', id).executeTakeFirst()) ?? null;
  }

  async findByOidcSubject(subject: string): Promise<UserAccountRow | null> {
    return (await selectUsers(this.db).where('u.oidc_subject', '=', subject).executeTakeFirst()) ?? null;
  }

  /** Null when the name is taken. */
  async create(username: string, role: Role, passwordHash: string | null, oidcSubject: string | null = null): Promise<string | null> {
    const row = await this.db
      .insertInto('users')
      .values({ username, role, password_hash: passwordHash, oidc_subject: oidcSubject })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    return row?.id ?? null;
  }

  /**
   * Changes a role, or deletes the user (`role` null), unless that leaves no admin. The admins'
   * rows are locked first, so two admins demoting each other at once cannot both succeed.
   */
  async changeRoleOrDelete(id: string, role: Role | null): Promise<AdminGuardResult> {
    return this.db.transaction().execute(async (tx) => {
      const admins = await tx.selectFrom('users').select('id').where('role', '=', 'admin').orderBy('id').forUpdate().execute();
      const current = await tx.selectFrom('users').select('role').where('id', '=', id).forUpdate().executeTakeFirst();
      if (current === undefined) return 'not-found';
      const losesAdmin = current.role === 'admin' && role !== 'admin';
      if (losesAdmin && admins.filter((a) => a.id !== id).length === 0) return 'last-admin';
      if (role === null) {
        await tx.deleteFrom('users').where('id', '=', id).execute();
      } else {
        await tx.updateTable('users').set({ role, updated_at: sql`now()` }).where('id', '=', id).execute();
      }
      return 'ok';
    });
  }

  /** A new password ends every session of the user. False when there is no such user. */
  async setPassword(id: string, passwordHash: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const updated = await tx
        .updateTable('users')
        .set({ password_hash: passwordHash, updated_at: sql`now()` })
        .where('id', '=', id)
        .executeTakeFirst();
      await tx.deleteFrom('sessions').where('user_id', '=', id).execute();
      return updated.numUpdatedRows > 0n;
    });
  }

  async deleteSessions(id: string): Promise<number> {
    return Number((await this.db.deleteFrom('sessions').where('user_id', '=', id).executeTakeFirst()).numDeletedRows);
  }

  async setRole(id: string, role: Role): Promise<void> {
    await this.db.updateTable('users').set({ role, updated_at: sql`now()` }).where('id', '=', id).where('role', '<>', role).execute();
  }
}
