import { Injectable, Logger } from '@nestjs/common';
import { AGENT_ERROR_CODES, type HostSequenceReset } from '@portpressure/protocol';
import { AgentConnections } from '../enrollment/agent-connections.ts';
import { HostsError } from '../hosts/hosts.errors.ts';
import { HostSequenceRepository } from './host-sequence.repository.ts';

/**
 * Resets a host's sequence baseline. A host whose last_seq was pushed near 2^53 (before sequence
 * jumps were bounded) tells its agent to continue after that number, which no snapshot can carry:
 * the host stores nothing ever again. After a reset the agent continues from its own numbering
 * (or from 1 with a fresh state folder) and everything stored so far stays readable.
 */
@Injectable()
export class HostSequenceService {
  private readonly logger = new Logger('HostSequence');

  constructor(
    private readonly repository: HostSequenceRepository,
    private readonly connections: AgentConnections,
  ) {}

  async reset(hostId: string): Promise<HostSequenceReset> {
    const row = await this.repository.reset(hostId);
    if (!row) throw new HostsError('HOST_NOT_FOUND', `no host with id ${hostId}`);
    // An open connection admits against the old baseline it read at hello; it reconnects (with the
    // agent's usual back-off) for the new one. No protocol code says "reconnect" more precisely than
    // INTERNAL (which every agent version answers by reconnecting); the reason says why.
    const closed = this.connections.closeHost(
      hostId,
      AGENT_ERROR_CODES.INTERNAL,
      "an admin reset this host's sequence baseline; reconnect to read it",
    );
    this.logger.log(
      `host ${hostId}: sequence baseline reset (last seq was ${row.previousLastSeq}); ${closed} connection(s) asked to reconnect`,
    );
    return {
      hostId,
      previousLastSeq: row.previousLastSeq,
      resetAt: row.resetAt.toISOString(),
      connectionsClosed: closed,
    };
  }
}
