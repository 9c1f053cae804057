import { Inject, Injectable } from '@nestjs/common';
import type { Role } from '@portpressure/protocol';
import { PrismaService } from '../database/prisma.service.ts';
import { Prisma } from '../generated/prisma/client.ts';

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

const USER_COLUMNS = Prisma.raw(`u.id, u.username, u.role, u.password_hash IS NOT NULL AS "hasPassword",
  u.oidc_subject AS "oidcSubject", u.created_at AS "createdAt", u.updated_at AS "updatedAt",
  (SELECT count(*)::int FROM sessions s WHERE s.user_id = u.id AND s.expires_at > now()) AS sessions`);

/** What a change of admins would leave: refused when no admin would remain. */
export type AdminGuardResult = 'ok' | 'not-found' | 'last-admin';

@Injectable()
export class UsersRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaService) {}

  async list(): Promise<UserAccountRow[]> {
    return this.prisma.$queryRaw<UserAccountRow[]>`SELECT ${USER_COLUMNS} FROM users u ORDER BY u.username`;
  }

  async findById(id: string): Promise<UserAccountRow | null> {
    const rows = await this.prisma.$queryRaw<UserAccountRow[]>`SELECT ${USER_COLUMNS} FROM users u WHERE u.id = ${id}::uuid`;
    return rows[0] ?? null;
  }

  async findByOidcSubject(subject: string): Promise<UserAccountRow | null> {
    const rows = await this.prisma.$queryRaw<UserAccountRow[]>`SELECT ${USER_COLUMNS} FROM users u WHERE u.oidc_subject = ${subject}`;
    return rows[0] ?? null;
  }

  /** Null when the name is taken. */
  async create(username: string, role: Role, passwordHash: string | null, oidcSubject: string | null = null): Promise<string | null> {
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      INSERT INTO users (username, role, password_hash, oidc_subject) VALUES (${username}, ${role}, ${passwordHash}, ${oidcSubject})
      ON CONFLICT DO NOTHING RETURNING id`;
    return rows[0]?.id ?? null;
  }

  /**
   * Changes a role, or deletes the user (`role` null), unless that leaves no admin. The admins'
   * rows are locked first, so two admins demoting each other at once cannot both succeed.
   */
  async changeRoleOrDelete(id: string, role: Role | null): Promise<AdminGuardResult> {
    return this.prisma.$transaction(async (tx) => {
      const admins = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM users WHERE role = 'admin' ORDER BY id FOR UPDATE`;
      const target = await tx.$queryRaw<{ role: string }[]>`SELECT role FROM users WHERE id = ${id}::uuid FOR UPDATE`;
      const current = target[0];
      if (current === undefined) return 'not-found';
      const losesAdmin = current.role === 'admin' && role !== 'admin';
      if (losesAdmin && admins.filter((a) => a.id !== id).length === 0) return 'last-admin';
      if (role === null) {
        await tx.$executeRaw`DELETE FROM users WHERE id = ${id}::uuid`;
      } else {
        await tx.$executeRaw`UPDATE users SET role = ${role}, updated_at = now() WHERE id = ${id}::uuid`;
      }
      return 'ok';
    });
  }

  /** A new password ends every session of the user. False when there is no such user. */
  async setPassword(id: string, passwordHash: string): Promise<boolean> {
    const [updated] = await this.prisma.$transaction([
      this.prisma.$executeRaw`UPDATE users SET password_hash = ${passwordHash}, updated_at = now() WHERE id = ${id}::uuid`,
      this.prisma.$executeRaw`DELETE FROM sessions WHERE user_id = ${id}::uuid`,
    ]);
    return updated > 0;
  }

  async deleteSessions(id: string): Promise<number> {
    return this.prisma.$executeRaw`DELETE FROM sessions WHERE user_id = ${id}::uuid`;
  }

  async setRole(id: string, role: Role): Promise<void> {
    await this.prisma.$executeRaw`UPDATE users SET role = ${role}, updated_at = now() WHERE id = ${id}::uuid AND role <> ${role}`;
  }
}
