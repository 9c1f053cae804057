import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  PROTOCOL_VERSION,
  type Enroll,
  type Enrolled,
  type Gap,
  type GapAck,
  type Hello,
  type Labels,
  type Snapshot,
  type Welcome,
} from '@portpressure/protocol';
import { API_CONFIG, type ApiConfig } from '../config/config.ts';
import { EnrollmentError } from '../enrollment/enrollment.errors.ts';
import { EnrollmentService, type AuthenticatedHost } from '../enrollment/enrollment.service.ts';
import { summaryFromReport, toHostSummary, type StoredSummary } from '../hosts/host-summary.ts';
import { LiveService } from '../live/live.service.ts';
import { IngestError } from './ingest.errors.ts';
import { IngestRepository } from './ingest.repository.ts';
import { isSnapshotV2 } from './namespace-state.ts';
import { ResendCheckRepository } from './resend-check.repository.ts';
import { SnapshotEvents } from './snapshot-events.ts';
import { admitSnapshot, type AdmissionState } from './snapshot-admission.ts';
import { SnapshotWriter } from './snapshot-writer.ts';
import { ClockSkews } from '../host-clock/clock-skews.ts';

/** What one streaming connection knows about its host, so storing a snapshot never re-reads it. */
export interface AgentSession extends AdmissionState {
  host: AuthenticatedHost;
  /** The hello's protocol version: decides which snapshot schema this connection's frames follow. */
  protocolVersion: number;
  labels: Labels;
  droppedSnapshots: number;
  /** Newest takenAt (ms) published live on this connection, so a late older snapshot does not move the UI back. */
  latestTakenAt: number;
  /** Snapshots of this connection whose post-commit work (live fan-out, SnapshotEvents listeners) has not finished. */
  afterCommitBacklog: number;
  /**
   * This connection's newest snapshot write: a gap report waits for it, and so for every earlier
   * one (the writer commits a host's snapshots in order).
   */
  lastWrite?: Promise<boolean>;
}

/**
 * Snapshots of one connection whose post-commit work may lag behind before acks wait for it.
 * Listeners (alert evaluation…) normally keep up; when they do not, holding acks back slows the
 * agent, whose spool keeps the data, instead of letting this queue grow without bound.
 */
const MAX_AFTER_COMMIT_BACKLOG = 32;
/** Longest an ack waits for lagging listeners. */
const MAX_BACKPRESSURE_WAIT_MS = 2000;

/** What a snapshot weighs in the ingest queue: its tuples (every namespace's) plus one per report. */
function tupleLoad(snapshot: Snapshot): number {
  let tuples = snapshot.report.tuples.length + 1;
  if (isSnapshotV2(snapshot)) for (const n of snapshot.namespaces) tuples += n.report.tuples.length + 1;
  return tuples;
}

@Injectable()
export class IngestService {
  private readonly logger = new Logger('Ingest');
  constructor(
    private readonly repository: IngestRepository,
    private readonly writer: SnapshotWriter,
    private readonly enrollment: EnrollmentService,
    private readonly live: LiveService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly events: SnapshotEvents,
    private readonly skews: ClockSkews,
    private readonly resends: ResendCheckRepository,
  ) {}

  /** Tuples of snapshots admitted but not yet committed, over every connection (the ingest queue's size). */
  private queuedTuples = 0;

  /**
   * Admission control and the server's checks of a snapshot, before it is queued: refuses it when
   * the write queue is over its budget (OVERLOADED: the agent backs off and resends from its spool)
   * or its seq jumps too far, and places a future takenAt at the receive time. Returns what to store.
   */
  admit(session: AgentSession, snapshot: Snapshot): Snapshot {
    const tuples = tupleLoad(snapshot);
    // An empty queue takes any snapshot, so one larger than the budget cannot be refused forever.
    if (this.queuedTuples > 0 && this.queuedTuples + tuples > this.config.security.ingestQueueTuples) {
      throw new IngestError(
        'OVERLOADED',
        `the API's ingest queue is full (${this.queuedTuples} tuples waiting); back off and resend later`,
        true,
        snapshot.seq,
      );
    }
    const admitted = admitSnapshot(session, snapshot, Date.now(), this.config.intervalSeconds * 1000);
    if (session.clockSkewMs !== null) this.skews.record(session.host.hostId, session.clockSkewMs);
    return admitted;
  }

  /** Enrolls the host named by an `enroll` frame (the connection presented the enrollment token). */
  async enroll(frame: Enroll): Promise<Enrolled> {
    this.checkVersion(frame.protocolVersion);
    try {
      return await this.enrollment.enroll(frame);
    } catch (error) {
      if (error instanceof EnrollmentError && error.code === 'IDENTITY_IN_USE')
        throw new IngestError('IDENTITY_IN_USE', error.message, true);
      throw error;
    }
  }

  /**
   * Accepts the hello of a connection authenticated as `host`. The frame may only name that
   * host's identity: the credential, not the frame, decides which host a connection writes for.
   */
  async hello(host: AuthenticatedHost, frame: Hello): Promise<{ session: AgentSession; welcome: Welcome }> {
    this.checkVersion(frame.protocolVersion);
    if (frame.host.machineId !== host.machineId || frame.host.hostname !== host.hostname) {
      throw new IngestError(
        'FORBIDDEN',
        `this credential belongs to ${host.hostname} (${host.machineId}), not ${frame.host.hostname} (${frame.host.machineId}); ` +
          'enroll this host with its own credential',
        true,
      );
    }
    const state = await this.repository.refreshHost(host.hostId, frame.host.labels, frame.agentVersion);
    if (!state) throw new IngestError('UNAUTHORIZED', 'the host of this credential no longer exists', true);
    return {
      session: {
        host,
        protocolVersion: frame.protocolVersion,
        labels: frame.host.labels,
        droppedSnapshots: state.droppedSnapshots,
        latestTakenAt: 0,
        afterCommitBacklog: 0,
        highestSeq: state.lastSeq,
        clockSkewMs: null,
      },
      welcome: {
        type: 'welcome',
        hostId: host.hostId,
        lastSeq: state.lastSeq,
        intervalSeconds: this.config.intervalSeconds,
        maxFramesPerSecond: this.config.agentRateLimit,
      },
    };
  }

  /**
   * Stores a snapshot (once, however often it is sent). Resolves after commit, which is when the
   * ack may go out. `checkResend`: a seq that is stored already must have been stored with this
   * takenAt, or two agents are writing with one credential (SEQ_CONFLICT; not acked, so the
   * second agent keeps it in its spool). Off for snapshots whose takenAt admission replaced.
   */
  async store(session: AgentSession, snapshot: Snapshot, checkResend = true): Promise<void> {
    const summary = summaryFromReport(snapshot.report);
    const tuples = tupleLoad(snapshot);
    this.queuedTuples += tuples;
    let stored: boolean;
    const write = this.writer.write({ hostId: session.host.hostId, snapshot, summary });
    session.lastWrite = write;
    try {
      stored = await write;
    } finally {
      this.queuedTuples -= tuples;
    }
    if (!stored) {
      if (checkResend) await this.checkResend(session, snapshot);
      return;
    }
    // Handed to the listeners at once, off the ack path: a host's snapshots commit in order (the
    // writer never has two batches of one host in flight) and reach SnapshotEvents in that order.
    // Chaining each snapshot behind the previous one's listeners instead let a slow listener run
    // hold back every later snapshot of the host, and acks then waited for that queue.
    session.afterCommitBacklog += 1;
    const done = this.afterCommit(session, snapshot, summary)
      .catch((error: unknown) => this.logger.error(`after storing snapshot ${snapshot.seq}: ${String(error)}`))
      .finally(() => (session.afterCommitBacklog -= 1));
    if (session.afterCommitBacklog > MAX_AFTER_COMMIT_BACKLOG) {
      // Bounded wait: a stuck listener must slow acks down, never stop them.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([done, new Promise((r) => (timer = setTimeout(r, MAX_BACKPRESSURE_WAIT_MS)))]);
      clearTimeout(timer);
    }
  }

  private async checkResend(session: AgentSession, snapshot: Snapshot): Promise<void> {
    const stored = await this.resends.storedSeq(session.host.hostId, snapshot.seq, Date.parse(snapshot.takenAt));
    if (stored !== 'other') return;
    this.logger.warn(
      `host ${session.host.hostname} (${session.host.hostId}): seq ${snapshot.seq} arrived again with another takenAt; ` +
        'two agents share this credential (a cloned machine image?)',
    );
    throw new IngestError(
      'SEQ_CONFLICT',
      `seq ${snapshot.seq} is stored already with another takenAt: another agent is using this host's credential ` +
        '(a cloned machine image?); give this machine its own enrollment (empty its state folder, an admin revokes the shared credential)',
      true,
      snapshot.seq,
    );
  }

  /**
   * Records snapshots the agent dropped from its spool. This connection's snapshots still being
   * written are committed first: one of them may be a dropped seq the agent sent before the drop
   * (the repository leaves stored seqs out of the gap).
   */
  async recordGap(session: AgentSession, gap: Gap): Promise<GapAck> {
    await session.lastWrite?.catch(() => undefined);
    session.droppedSnapshots = await this.repository.recordGap(session.host.hostId, gap.fromSeq, gap.toSeq);
    return { type: 'gap-ack', fromSeq: gap.fromSeq, toSeq: gap.toSeq };
  }

  private async afterCommit(session: AgentSession, snapshot: Snapshot, summary: StoredSummary): Promise<void> {
    const takenAt = Date.parse(snapshot.takenAt);
    // Built from what this connection already knows: with nobody listening nothing is done, and
    // with listeners there is still no query per snapshot.
    if (this.live.subscriberCount > 0 && takenAt >= session.latestTakenAt) {
      session.latestTakenAt = takenAt;
      const row = {
        id: session.host.hostId,
        machineId: session.host.machineId,
        hostname: session.host.hostname,
        labels: session.labels,
        lastSeenAt: new Date(),
        pressure: snapshot.report.pressure,
        summary,
        droppedSnapshots: session.droppedSnapshots,
        credentialActive: true,
      };
      // A version 2 host's fleet row ranks by its worst namespace too: the frame says which it is.
      const worstNamespace = isSnapshotV2(snapshot) ? this.repository.currentWorstNamespace(session.host.hostId) : undefined;
      this.live.publishHost(toHostSummary(row, new Date(), this.config.intervalSeconds), worstNamespace);
    }
    await this.events.emitStored({ hostId: session.host.hostId, snapshot });
  }

  private checkVersion(version: number): void {
    if (version > PROTOCOL_VERSION) {
      throw new IngestError(
        'UNSUPPORTED_VERSION',
        `protocol version ${version} is newer than this server's (${PROTOCOL_VERSION}); upgrade the API`,
        true,
      );
    }
  }
}
