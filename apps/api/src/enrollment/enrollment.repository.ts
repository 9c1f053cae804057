import { Inject, Injectable } from '@nestjs/common';
import type { HostIdentity } from '@portpressure/protocol';
import { PrismaService } from '../database/prisma.service.ts';

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
  constructor(@Inject(PrismaService) private readonly prisma: PrismaService) {}

  async findGeneratedTokenHash(): Promise<string | null> {
    const rows = await this.prisma.$queryRaw<{ tokenHash: string }[]>`
      SELECT token_hash AS "tokenHash" FROM enrollment_tokens WHERE id = ${GENERATED_TOKEN_ID}`;
    return rows[0]?.tokenHash ?? null;
  }

  /** Stores a generated token's hash unless another instance stored one first; true when this one was stored. */
  async insertGeneratedTokenHash(tokenHash: string): Promise<boolean> {
    const inserted = await this.prisma.$executeRaw`
      INSERT INTO enrollment_tokens (id, token_hash) VALUES (${GENERATED_TOKEN_ID}, ${tokenHash})
      ON CONFLICT (id) DO NOTHING`;
    return inserted === 1;
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
      const outcome = await this.prisma
        .$transaction(async (tx) => {
          // Locked, so two re-enrollments of one identity cannot both see it free.
          const existing = await tx.$queryRaw<{ id: string; active: boolean }[]>`
          SELECT h.id, EXISTS (SELECT 1 FROM host_credentials c WHERE c.host_id = h.id AND c.revoked_at IS NULL) AS active
          FROM host_identities i JOIN hosts h ON h.id = i.host_id
          WHERE i.machine_id = ${identity.machineId} AND i.hostname = ${identity.hostname}
          FOR UPDATE OF h`;
          let hostId = existing[0]?.id;
          if (existing[0]?.active) return { inUse: existing[0].id };
          if (hostId !== undefined) {
            await tx.$executeRaw`
            UPDATE hosts SET labels = ${JSON.stringify(identity.labels)}::jsonb, agent_version = ${agentVersion},
              last_seq = 0, seq_reset_at = now(), latest_taken_at = LEAST(latest_taken_at, now())
            WHERE id = ${hostId}::uuid`;
          } else {
            const hosts = await tx.$queryRaw<{ id: string }[]>`
            INSERT INTO hosts (machine_id, hostname, labels, agent_version)
            VALUES (${identity.machineId}, ${identity.hostname}, ${JSON.stringify(identity.labels)}::jsonb, ${agentVersion})
            RETURNING id`;
            hostId = hosts[0]?.id;
            if (!hostId) throw new Error('host insert returned no row');
            const claimed = await tx.$executeRaw`
            INSERT INTO host_identities (machine_id, hostname, host_id)
            VALUES (${identity.machineId}, ${identity.hostname}, ${hostId}::uuid)
            ON CONFLICT (machine_id, hostname) DO NOTHING`;
            if (claimed === 0) {
              if (pass >= 3) throw new Error(`enrollment of ${identity.hostname} kept racing another one`);
              throw new IdentityRace();
            }
          }
          await tx.$executeRaw`
          INSERT INTO host_credentials (host_id, token_hash) VALUES (${hostId}::uuid, ${credentialHash})`;
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
    const rows = await this.prisma.$queryRaw<CredentialRecord[]>`
      SELECT c.host_id AS "hostId", h.machine_id AS "machineId", h.hostname, c.revoked_at IS NOT NULL AS revoked
      FROM host_credentials c JOIN hosts h ON h.id = c.host_id
      WHERE c.token_hash = ${credentialHash}`;
    return rows[0] ?? null;
  }

  /** Revokes every active credential of the host; null when there is no such host. */
  async revokeCredentials(hostId: string): Promise<number | null> {
    return this.prisma.$transaction(async (tx) => {
      const host = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM hosts WHERE id = ${hostId}::uuid FOR UPDATE`;
      if (host.length === 0) return null;
      return tx.$executeRaw`
        UPDATE host_credentials SET revoked_at = now() WHERE host_id = ${hostId}::uuid AND revoked_at IS NULL`;
    });
  }
}

/** Another enrollment of the same identity committed first: this transaction is rolled back and retried. */
class IdentityRace extends Error {}
