import { Injectable, Logger } from '@nestjs/common';
import { MAX_CLOCK_SKEW_MS, type HostClock } from '@portpressure/protocol';
import { HostsError } from '../hosts/hosts.errors.ts';
import { HostClockRepository } from './host-clock.repository.ts';

/** A host's skew is written at most this often, or at once when it moved by more than SKEW_CHANGE_MS. */
const WRITE_EVERY_MS = 60_000;
const SKEW_CHANGE_MS = 5_000;

/**
 * Agents' clock skew, as the API measures it on arrival (snapshot-admission.ts). Kept on the host
 * row so every API instance shows the same, written off the ack path and rarely: a skew hardly
 * moves, and ingest must not pay a write per snapshot for it.
 */
@Injectable()
export class ClockSkews {
  private readonly logger = new Logger('ClockSkews');
  private readonly written = new Map<string, { skewMs: number; at: number }>();
  /** The latest skew measured on this instance per host, written or not. */
  private readonly latest = new Map<string, number>();

  constructor(private readonly repository: HostClockRepository) {}

  record(hostId: string, skewMs: number, now = Date.now()): void {
    this.latest.set(hostId, skewMs);
    const last = this.written.get(hostId);
    if (last && now - last.at < WRITE_EVERY_MS && Math.abs(last.skewMs - skewMs) < SKEW_CHANGE_MS) return;
    const rounded = Math.max(-2_147_483_647, Math.min(2_147_483_647, Math.round(skewMs)));
    this.written.set(hostId, { skewMs: rounded, at: now });
    if (Math.abs(rounded) > MAX_CLOCK_SKEW_MS && (!last || Math.abs(last.skewMs) <= MAX_CLOCK_SKEW_MS)) {
      this.logger.warn(`host ${hostId}: agent clock is ${Math.round(rounded / 1000)} s off; its snapshots are placed at the receive time`);
    }
    this.repository.recordSkew(hostId, rounded).catch((error: unknown) => {
      this.written.delete(hostId);
      this.logger.warn(`recording the clock skew of host ${hostId} failed: ${String(error)}`);
    });
  }

  /**
   * What to subtract from the host's snapshot times to get the API's time (agent − server, ms):
   * its measured skew, or 0 when unknown, or when the clock is so far ahead that its snapshots are
   * stored at the receive time already. Forecasts use it, so "runs out at" is in the API's time even
   * for an agent whose clock runs behind (known on the instance its agent streams to).
   */
  offsetMs(hostId: string): number {
    const skew = this.latest.get(hostId) ?? 0;
    return skew > MAX_CLOCK_SKEW_MS ? 0 : skew;
  }

  async get(hostId: string): Promise<HostClock> {
    const row = await this.repository.findSkew(hostId);
    if (!row) throw new HostsError('HOST_NOT_FOUND', `no host with id ${hostId}`);
    return {
      hostId,
      skewSeconds: row.clockSkewMs === null ? null : row.clockSkewMs / 1000,
      measuredAt: row.clockSkewAt?.toISOString() ?? null,
      corrected: row.clockSkewMs !== null && row.clockSkewMs > MAX_CLOCK_SKEW_MS,
    };
  }
}
