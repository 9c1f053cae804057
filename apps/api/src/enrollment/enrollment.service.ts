import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import {
  AGENT_ERROR_CODES,
  ENROLLMENT_TOKEN_PREFIX,
  HOST_CREDENTIAL_PREFIX,
  hostCredentialSchema,
  type CredentialRevoked,
  type Enroll,
  type Enrolled,
} from '@portpressure/protocol';
import { API_CONFIG, type ApiConfig } from '../config/config.ts';
import { AgentConnections } from './agent-connections.ts';
import { EnrollmentError } from './enrollment.errors.ts';
import { EnrollmentRepository } from './enrollment.repository.ts';
import { hashesEqual, hashSecret, newSecret } from './secret-token.ts';

/** The host an upgrade request's credential belongs to. */
export interface AuthenticatedHost {
  hostId: string;
  machineId: string;
  hostname: string;
}

export type CredentialCheck = { ok: true; host: AuthenticatedHost } | { ok: false; reason: 'malformed' | 'unknown' | 'revoked' };

/**
 * Enrollment token and per-host credentials. The token lets an agent enroll its host once; the
 * credential it receives then authenticates every connection of that host, and decides which host
 * the connection writes for (never the frames).
 */
@Injectable()
export class EnrollmentService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Enrollment');
  /** SHA-256 of the accepted enrollment token; set at bootstrap. */
  private tokenHash: string | undefined;

  constructor(
    private readonly repository: EnrollmentRepository,
    private readonly connections: AgentConnections,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.enrollmentToken) {
      this.tokenHash = hashSecret(this.config.enrollmentToken);
      this.logger.log('agents enroll with the token of PORTPRESSURE_ENROLLMENT_TOKEN');
      return;
    }
    const stored = await this.repository.findGeneratedTokenHash();
    if (stored) {
      this.tokenHash = stored;
      this.logger.log(
        'agents enroll with the token generated on first start (printed in the log then); ' +
          'set PORTPRESSURE_ENROLLMENT_TOKEN to choose another',
      );
      return;
    }
    const token = newSecret(ENROLLMENT_TOKEN_PREFIX);
    if (await this.repository.insertGeneratedTokenHash(hashSecret(token))) {
      this.tokenHash = hashSecret(token);
      // The only time the token is ever shown: the database keeps its hash alone.
      this.logger.log(
        `generated the enrollment token (shown this once; only its hash is stored): ${token}\n` +
          `  enroll an agent with: portpressure-agent run --server <this API's URL> --enrollment-token ${token}`,
      );
      return;
    }
    // Another API instance generated one at the same moment: use that one.
    this.tokenHash = (await this.repository.findGeneratedTokenHash()) ?? undefined;
    this.logger.log('agents enroll with the token another API instance generated (printed in its log)');
  }

  isEnrollmentToken(token: string): boolean {
    return this.tokenHash !== undefined && hashesEqual(hashSecret(token), this.tokenHash);
  }

  /** Resolves a presented host credential to its host. */
  async checkCredential(credential: string): Promise<CredentialCheck> {
    if (!hostCredentialSchema.safeParse(credential).success) return { ok: false, reason: 'malformed' };
    const record = await this.repository.findCredential(hashSecret(credential));
    if (!record) return { ok: false, reason: 'unknown' };
    if (record.revoked) return { ok: false, reason: 'revoked' };
    return { ok: true, host: { hostId: record.hostId, machineId: record.machineId, hostname: record.hostname } };
  }

  /**
   * Enrolls the host of an `enroll` frame and returns its new credential (shown once, stored
   * hashed). An identity that exists with an active credential is refused (IDENTITY_IN_USE): the
   * enrollment token alone must never hand over a host, its history and its alerts. An operator
   * re-installing that machine revokes its credential first (the host and history are kept).
   */
  async enroll(frame: Enroll): Promise<Enrolled> {
    const credential = newSecret(HOST_CREDENTIAL_PREFIX);
    const result = await this.repository.enrollHost(frame.host, frame.agentVersion, hashSecret(credential));
    if ('inUse' in result) {
      this.logger.warn(
        `refused to enroll ${frame.host.hostname} (${frame.host.machineId}): host ${result.inUse} has this identity and an active credential`,
      );
      throw new EnrollmentError(
        'IDENTITY_IN_USE',
        `host ${frame.host.hostname} is enrolled already and its credential is active; ` +
          `if this machine really is that host, an admin revokes its credential (DELETE /api/hosts/${result.inUse}/credential) and it enrolls again`,
      );
    }
    this.logger.log(`enrolled host ${frame.host.hostname} (${frame.host.machineId}) as ${result.hostId}`);
    return { type: 'enrolled', hostId: result.hostId, credential };
  }

  /** Revokes the host's credentials and ends its connections on this instance. */
  async revoke(hostId: string): Promise<CredentialRevoked> {
    const revoked = await this.repository.revokeCredentials(hostId);
    if (revoked === null) throw new EnrollmentError('HOST_NOT_FOUND', `no host with id ${hostId}`);
    this.connections.closeHost(hostId, AGENT_ERROR_CODES.UNAUTHORIZED, 'credential revoked');
    this.logger.log(`revoked ${revoked} credential(s) of host ${hostId}`);
    return { hostId, revoked };
  }
}
