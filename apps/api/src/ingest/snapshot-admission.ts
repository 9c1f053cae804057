import { MAX_CLOCK_SKEW_MS, MAX_SEQ_JUMP, type Snapshot } from '@portpressure/protocol';
import { ClockLagWindow } from '../host-clock/clock-lag-window.ts';
import { IngestError } from './ingest.errors.ts';

/** What admission needs to know about the connection's host. */
export interface AdmissionState {
  /** Highest seq stored for the host (welcome.lastSeq), raised as this connection's snapshots are admitted. */
  highestSeq: number;
  /** takenAt − receive time of the latest snapshot that was not a backlog resend, in ms; shown on the host page. */
  clockSkewMs: number | null;
  /** This connection's live snapshot lags, to measure a clock that runs behind; made on first use. */
  lags?: ClockLagWindow;
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
 * - A clock behind is measured (not corrected: a late snapshot may be a spool replay) from the
 *   smallest lag of the live snapshots; forecasts are shifted by it (ClockSkews.offsetMs).
 */
export function admitSnapshot(state: AdmissionState, snapshot: Snapshot, receivedAt: number, intervalMs = 10_000): Snapshot {
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
  const lags = (state.lags ??= new ClockLagWindow(intervalMs));
  lags.add(receivedAt, -skew);
  const minLag = lags.minLag();
  // A snapshot from the spool is old by design; only fresh ones say how the agent's clock runs.
  if (skew > -MAX_CLOCK_SKEW_MS) state.clockSkewMs = skew;
  // Every one late, live ones included: the clock runs behind by the smallest lag (clock-lag-window.ts).
  else if (minLag !== null && minLag > MAX_CLOCK_SKEW_MS) state.clockSkewMs = -minLag;
  if (skew <= MAX_CLOCK_SKEW_MS) return snapshot;
  state.clockSkewMs = skew;
  return { ...snapshot, takenAt: new Date(receivedAt).toISOString() };
}
