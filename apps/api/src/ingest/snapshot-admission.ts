import { MAX_CLOCK_SKEW_MS, MAX_SEQ_JUMP, type Snapshot } from '@portpressure/protocol';
import { IngestError } from './ingest.errors.ts';

/** What admission needs to know about the connection's host. */
export interface AdmissionState {
  /** Highest seq stored for the host (welcome.lastSeq), raised as this connection's snapshots are admitted. */
  highestSeq: number;
  /** takenAt − receive time of the latest snapshot that was not a backlog resend, in ms; shown on the host page. */
  clockSkewMs: number | null;
}

/**
 * Checks a snapshot against the server's own view before it is queued for writing, and returns
 * the snapshot to store.
 *
 * - Sequence numbers may not jump more than MAX_SEQ_JUMP past the host's highest stored one: one
 *   frame with seq 2^53−1 would otherwise leave the host unable to store anything ever after.
 * - The server owns time. A takenAt more than MAX_CLOCK_SKEW_MS ahead of the receive time is
 *   placed at the receive time, so no snapshot dated in the future can make the real ones that
 *   follow look older than it (and so change nothing, fire nothing). The data itself is kept.
 */
export function admitSnapshot(state: AdmissionState, snapshot: Snapshot, receivedAt: number): Snapshot {
  if (snapshot.seq > state.highestSeq + MAX_SEQ_JUMP) {
    throw new IngestError(
      'SEQ_OUT_OF_RANGE',
      `seq ${snapshot.seq} is more than ${MAX_SEQ_JUMP} past this host's last stored seq ${state.highestSeq}; ` +
        'sequence numbers grow by one per measurement',
      false,
      snapshot.seq,
    );
  }
  if (snapshot.seq > state.highestSeq) state.highestSeq = snapshot.seq;
  const takenAt = Date.parse(snapshot.takenAt);
  const skew = takenAt - receivedAt;
  // A snapshot from the spool is old by design; only fresh ones say how the agent's clock runs.
  if (skew > -MAX_CLOCK_SKEW_MS) state.clockSkewMs = skew;
  if (skew <= MAX_CLOCK_SKEW_MS) return snapshot;
  state.clockSkewMs = skew;
  return { ...snapshot, takenAt: new Date(receivedAt).toISOString() };
}
