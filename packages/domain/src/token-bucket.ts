/**
 * A token bucket: `ratePerSecond` tokens flow in continuously, at most `burst` are held, and it
 * starts full. The API meters each agent's frames and bytes and the enrollment rate with it; the
 * agent paces its own sending with one sized to the rate the server announces. Time comes from
 * `now` at each call, so a busy process never mistakes its own slowness for a flood.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** True when `cost` tokens are there now (taking nothing). */
  holds(cost = 1): boolean {
    this.refill();
    return this.tokens >= cost;
  }

  /** Takes `cost` tokens (one by default); false, taking nothing, when the bucket holds fewer. */
  take(cost = 1): boolean {
    if (!this.holds(cost)) return false;
    this.tokens -= cost;
    return true;
  }

  /** Milliseconds until `cost` tokens will be there (0 when they are now). */
  msUntil(cost = 1): number {
    this.refill();
    if (this.tokens >= cost) return 0;
    return Math.ceil(((cost - this.tokens) / this.ratePerSecond) * 1000);
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
    this.last = t;
  }
}
