import { Inject, Injectable } from '@nestjs/common';
import type { Role } from '@portpressure/protocol';
import { PgPoolService } from '../database/pg-pool.service.ts';
import { PrismaService } from '../database/prisma.service.ts';

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
  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    // every API request looks its session up: through plain pg, which costs a fraction of Prisma's mapping
    @Inject(PgPoolService) private readonly pool: PgPoolService,
  ) {}

  async findUser(username: string): Promise<UserRow | null> {
    const rows = await this.prisma.$queryRaw<UserRow[]>`
      SELECT id, username, password_hash AS "passwordHash", role FROM users WHERE username = ${username}`;
    return rows[0] ?? null;
  }

  /** Creates the user unless it exists. True when this call created it (one instance wins a race). */
  async createUserIfMissing(username: string, passwordHash: string, role: Role): Promise<boolean> {
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      INSERT INTO users (username, password_hash, role) VALUES (${username}, ${passwordHash}, ${role})
      ON CONFLICT (username) DO NOTHING RETURNING id`;
    return rows.length > 0;
  }

  /** A new password ends every session of the user. */
  async replacePassword(userId: string, passwordHash: string): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.$executeRaw`UPDATE users SET password_hash = ${passwordHash}, updated_at = now() WHERE id = ${userId}::uuid`,
      this.prisma.$executeRaw`DELETE FROM sessions WHERE user_id = ${userId}::uuid`,
    ]);
  }

  async createSession(id: string, userId: string, expiresAt: Date): Promise<void> {
    await this.prisma.$executeRaw`
      INSERT INTO sessions (id, user_id, expires_at) VALUES (${id}, ${userId}::uuid, ${expiresAt})`;
  }

  /** The session if it exists and has not expired. */
  async findLiveSession(id: string): Promise<SessionRow | null> {
    const { rows } = await this.pool.query<SessionRow>(
      `SELECT s.id, u.id AS "userId", u.username, u.role, s.expires_at AS "expiresAt", s.last_seen_at AS "lastSeenAt"
       FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.id = $1 AND s.expires_at > now()`,
      [id],
    );
    return rows[0] ?? null;
  }

  async extendSession(id: string, expiresAt: Date): Promise<void> {
    await this.prisma.$executeRaw`UPDATE sessions SET expires_at = ${expiresAt}, last_seen_at = now() WHERE id = ${id}`;
  }

  async deleteSession(id: string): Promise<void> {
    await this.prisma.$executeRaw`DELETE FROM sessions WHERE id = ${id}`;
  }

  async deleteExpired(throttleWindowSeconds: number): Promise<void> {
    await this.prisma.$executeRaw`DELETE FROM sessions WHERE expires_at <= now()`;
    await this.prisma.$executeRaw`
      DELETE FROM login_throttles WHERE window_start <= now() - make_interval(secs => ${throttleWindowSeconds})`;
  }

  /**
   * Counts one sign-in attempt for `key` and returns the count in the current window, atomically,
   * so parallel guesses from one address cannot slip past the limit.
   */
  async countAttempt(key: string, windowSeconds: number): Promise<{ attempts: number; windowStart: Date }> {
    const rows = await this.prisma.$queryRaw<{ attempts: number; windowStart: Date }[]>`
      INSERT INTO login_throttles AS t (key, attempts, window_start) VALUES (${key}, 1, now())
      ON CONFLICT (key) DO UPDATE SET
        attempts = CASE WHEN t.window_start <= now() - make_interval(secs => ${windowSeconds}) THEN 1 ELSE t.attempts + 1 END,
        window_start = CASE WHEN t.window_start <= now() - make_interval(secs => ${windowSeconds}) THEN now() ELSE t.window_start END
      RETURNING attempts, window_start AS "windowStart"`;
    const row = rows[0];
    if (!row) throw new Error('login throttle upsert returned no row');
    return row;
  }

  async clearAttempts(key: string): Promise<void> {
    await this.prisma.$executeRaw`DELETE FROM login_throttles WHERE key = ${key}`;
  }
}
