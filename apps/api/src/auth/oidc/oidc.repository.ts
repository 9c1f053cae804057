import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { DbService } from '../../database/db.service.ts';

export interface PendingOidcLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
  browserHash: string;
  expiresAt: Date;
}

@Injectable()
export class OidcRepository {
  constructor(private readonly db: DbService) {}

  async save(login: PendingOidcLogin): Promise<void> {
    await this.db.deleteFrom('oidc_logins').where('expires_at', '<=', sql<Date>`now()`).execute();
    await this.db
      .insertInto('oidc_logins')
      .values({
        state: login.state,
        nonce: login.nonce,
        code_verifier: login.codeVerifier,
        browser_hash: login.browserHash,
        expires_at: login.expiresAt,
      })
      .execute();
  }

  /** Removes and returns the attempt: a state is good for one callback only, even if that one fails. */
  async take(state: string): Promise<PendingOidcLogin | null> {
    const row = await this.db
      .deleteFrom('oidc_logins')
      .where('state', '=', state)
      .returning(['state', 'nonce', 'code_verifier as codeVerifier', 'browser_hash as browserHash', 'expires_at as expiresAt'])
      .executeTakeFirst();
    return row ?? null;
  }
}
