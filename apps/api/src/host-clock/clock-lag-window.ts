/** How far back the smallest lag is looked for: long enough to hold several live snapshots at any interval up to a minute. */
const WINDOW_MS = 10 * 60_000;
/** Lags are kept per bucket of receive time (its smallest), so the window holds at most 60 numbers whatever the rate. */
const BUCKET_MS = 10_000;
/** Paced snapshots needed before the window says anything: one could be a fluke of the network. */
const MIN_OBSERVATIONS = 2;

/**
 * The smallest receive-minus-taken lag over a connection's recent *live* snapshots: the agent's
 * clock offset plus transit. An agent whose clock runs behind cannot be told apart from a spool
 * replay by one snapshot (both arrive "late"), but a replay only ever makes the lag larger, so the
 * minimum over a window of live ones is the offset.
 *
 * Live means paced: received at least half an interval after the connection's previous snapshot,
 * as an agent sends each measurement when it is taken. A spool replay sends back to back, so its
 * snapshots never count, however long the replay lasts.
 */
export class ClockLagWindow {
  private readonly minima = new Map<number, number>();
  private previousAt: number | null = null;
  private observations = 0;

  constructor(private readonly intervalMs: number) {}

  /** Notes a snapshot received at `receivedAt` with `lag` = receivedAt − takenAt (ms). */
  add(receivedAt: number, lag: number): void {
    const paced = this.previousAt !== null && receivedAt - this.previousAt >= this.intervalMs / 2;
    this.previousAt = receivedAt;
    if (!paced) return;
    const bucket = Math.floor(receivedAt / BUCKET_MS);
    this.minima.set(bucket, Math.min(this.minima.get(bucket) ?? Infinity, lag));
    this.observations += 1;
    for (const b of this.minima.keys()) if (b * BUCKET_MS < receivedAt - WINDOW_MS) this.minima.delete(b);
  }

  /** The smallest lag of the window's live snapshots, or null until there are enough of them. */
  minLag(): number | null {
    if (this.observations < MIN_OBSERVATIONS || this.minima.size === 0) return null;
    return Math.min(...this.minima.values());
  }
}
