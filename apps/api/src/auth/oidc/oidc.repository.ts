import { Inject, Injectable } from '@nestjs/common';
import { PrismaService } from '../../database/prisma.service.ts';

export interface PendingOidcLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
  browserHash: string;
  expiresAt: Date;
}

@Injectable()
export class OidcRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaService) {}

  async save(login: PendingOidcLogin): Promise<void> {
    await this.prisma.$executeRaw`DELETE FROM oidc_logins WHERE expires_at <= now()`;
    await this.prisma.$executeRaw`
      INSERT INTO oidc_logins (state, nonce, code_verifier, browser_hash, expires_at)
      VALUES (${login.state}, ${login.nonce}, ${login.codeVerifier}, ${login.browserHash}, ${login.expiresAt})`;
  }

  /** Removes and returns the attempt: a state is good for one callback only, even if that one fails. */
  async take(state: string): Promise<PendingOidcLogin | null> {
    const rows = await this.prisma.$queryRaw<PendingOidcLogin[]>`
      DELETE FROM oidc_logins WHERE state = ${state}
      RETURNING state, nonce, code_verifier AS "codeVerifier", browser_hash AS "browserHash", expires_at AS "expiresAt"`;
    return rows[0] ?? null;
  }
}
