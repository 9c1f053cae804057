import { Injectable } from '@nestjs/common';
import { passwordResetSchema, userCreateSchema, userUpdateSchema, type User, type UserList } from '@portpressure/protocol';
import { z } from 'zod';
import { hashPassword } from '../auth/password-hash.ts';
import { UsersError } from './users.errors.ts';
import { UsersRepository, type AdminGuardResult, type UserAccountRow } from './users.repository.ts';

const idSchema = z.uuid();

export function toUser(row: UserAccountRow): User {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    hasPassword: row.hasPassword,
    sso: row.oidcSubject !== null,
    sessions: row.sessions,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new UsersError('INVALID_USER', z.prettifyError(parsed.error));
  return parsed.data;
}

@Injectable()
export class UsersService {
  constructor(private readonly users: UsersRepository) {}

  async list(): Promise<UserList> {
    return { users: (await this.users.list()).map(toUser) };
  }

  async get(id: string): Promise<User> {
    return toUser(await this.row(id));
  }

  async create(body: unknown): Promise<User> {
    const input = parse(userCreateSchema, body);
    const id = await this.users.create(input.username, input.role, await hashPassword(input.password));
    if (id === null) throw new UsersError('USER_EXISTS', `a user named "${input.username}" exists`);
    return this.get(id);
  }

  async update(id: string, body: unknown): Promise<User> {
    await this.row(id);
    const { role } = parse(userUpdateSchema, body);
    this.check(await this.users.changeRoleOrDelete(id, role), id, 'demote');
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    await this.row(id);
    this.check(await this.users.changeRoleOrDelete(id, null), id, 'remove');
  }

  /** Sets a new password (also for single-sign-on users) and ends the user's sessions. */
  async resetPassword(id: string, body: unknown): Promise<User> {
    await this.row(id);
    const { password } = parse(passwordResetSchema, body);
    if (!(await this.users.setPassword(id, await hashPassword(password)))) throw new UsersError('USER_NOT_FOUND', `no user ${id}`);
    return this.get(id);
  }

  async endSessions(id: string): Promise<User> {
    await this.row(id);
    await this.users.deleteSessions(id);
    return this.get(id);
  }

  private check(result: AdminGuardResult, id: string, verb: string): void {
    if (result === 'not-found') throw new UsersError('USER_NOT_FOUND', `no user ${id}`);
    if (result === 'last-admin') throw new UsersError('LAST_ADMIN', `cannot ${verb} the last admin; make another user admin first`);
  }

  private async row(id: string): Promise<UserAccountRow> {
    const row = idSchema.safeParse(id).success ? await this.users.findById(id) : null;
    if (row === null) throw new UsersError('USER_NOT_FOUND', `no user ${id}`);
    return row;
  }
}
