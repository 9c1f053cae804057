import { Inject, Injectable } from '@nestjs/common';
import type { HostIdentity } from '@portpressure/protocol';
import { sql } from 'kysely';
import { type Db, DbService } from '../database/db.service.ts';
import { hasActiveCredential } from '../hosts/hosts.repository.ts';

/** The one row of enrollment_tokens holding a generated token's hash. */
const GENERATED_TOKEN_ID = 'default';

/** What a presented credential resolves to. */
export interface CredentialRecord {
  hostId: string;
  machineId: string;
  hostname: string;
  revoked: boolean;
}

@Injectable()
export class EnrollmentRepository {
  constructor(@Inject(DbService) private readonly db: Db) {}

  async findGeneratedTokenHash(): Promise<string | null> {
    const row = await this.db.selectFrom('enrollment_tokens').select('token_hash').where('id', '=', GENERATED_TOKEN_ID).executeTakeFirst();
    return row?.token_hash ?? null;
  }

  /** Stores a generated token's hash unless another instance stored one first; true when this one was stored. */
  async insertGeneratedTokenHash(tokenHash: string): Promise<boolean> {
    const inserted = await this.db
      .insertInto('enrollment_tokens')
      .values({ id: GENERATED_TOKEN_ID, token_hash: tokenHash })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return inserted.numInsertedOrUpdatedRows === 1n;
  }

  /**
   * Creates the host of `identity`, or re-enrolls it when none of its credentials is active (its
   * agent lost its state and an admin revoked the old credential: the host and its history are
   * kept), and stores the new credential's hash, in one transaction. An identity whose credential
   * is active is not touched: `{ inUse }` names the host.
   *
   * Re-enrolling also resets the host's sequence baseline (as an admin can, host-sequence/): the
   * machine may come back with a fresh state folder numbering from 1, or the old numbering may have
   * been poisoned; the new credential starts a new numbering, and the old history stays.
   * latest_taken_at comes back to now at most, so a stored future date cannot hold the host's
   * figures still.
   */
  async enrollHost(identity: HostIdentity, agentVersion: string, credentialHash: string): Promise<{ hostId: string } | { inUse: string }> {
    // Two first enrollments of one identity race for its host_identities row: the loser's
    // transaction finds no row inserted, rolls back, and its second pass sees the winner's host.
    for (let pass = 1; ; pass++) {
      const outcome = await this.db
        .transaction()
        .execute(async (tx) => {
          // Locked, so two re-enrollments of one identity cannot both see it free.
          const existing = await tx
            .selectFrom('host_identities as i')
            .innerJoin('hosts as h', 'h.id', 'i.host_id')
            .select(['h.id', hasActiveCredential(tx, 'h.id').as('active')])
            .where('i.machine_id', '=', identity.machineId)
            .where('i.hostname', '=', identity.hostname)
            .forUpdate('h')
            .executeTakeFirst();
          let hostId = existing?.id;
          if (existing?.active) return { inUse: existing.id };
          if (hostId !== undefined) {
            await tx
              .updateTable('hosts')
              .set({
                labels: JSON.stringify(identity.labels),
                agent_version: agentVersion,
                last_seq: 0,
                seq_reset_at: sql<Date>`now()`,
                latest_taken_at: sql<Date>`LEAST(latest_taken_at, now())`,
              })
              .where('id', '=', hostId)
              .execute();
          } else {
            const host = await tx
              .insertInto('hosts')
              .values({
                machine_id: identity.machineId,
                hostname: identity.hostname,
                labels: JSON.stringify(identity.labels),
                agent_version: agentVersion,
              })
              .returning('id')
              .executeTakeFirstOrThrow();
            hostId = host.id;
            const claimed = await tx
              .insertInto('host_identities')
              .values({ machine_id: identity.machineId, hostname: identity.hostname, host_id: hostId })
              .onConflict((oc) => oc.columns(['machine_id', 'hostname']).doNothing())
              .executeTakeFirst();
            if (claimed.numInsertedOrUpdatedRows === 0n) {
              if (pass >= 3) throw new Error(`enrollment of ${identity.hostname} kept racing another one`);
              throw new IdentityRace();
            }
          }
          await tx.insertInto('host_credentials').values({ host_id: hostId, token_hash: credentialHash }).execute();
          return { hostId };
        })
        .catch((error: unknown) => {
          if (error instanceof IdentityRace) return undefined;
          throw error;
        });
      if (outcome !== undefined) return outcome;
    }
  }

  async findCredential(credentialHash: string): Promise<CredentialRecord | null> {
    const row = await this.db
      .selectFrom('host_credentials as c')
      .innerJoin('hosts as h', 'h.id', 'c.host_id')
      .select((eb) => [
        'c.host_id as hostId',
        'h.machine_id as machineId',
        'h.hostname',
        eb('c.revoked_at', 'is not', null).$castTo<boolean>().as('revoked'),
      ])
      .where('c.token_hash', '=', credentialHash)
      .executeTakeFirst();
    return row ?? null;
  }

  /** Revokes every active credential of the host; null when there is no such host. */
  async revokeCredentials(hostId: string): Promise<number | null> {
    return this.db.transaction().execute(async (tx) => {
      const host = await tx.selectFrom('hosts').select('id').where('id', '=', hostId).forUpdate().executeTakeFirst();
      if (host === undefined) return null;
      const revoked = await tx
        .updateTable('host_credentials')
        .set({ revoked_at: sql<Date>`now()` })
        .where('host_id', '=', hostId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(revoked.numUpdatedRows);
    });
  }
}

/** Another enrollment of the same identity committed first: this transaction is rolled back and retried. */
class IdentityRace extends Error {}
