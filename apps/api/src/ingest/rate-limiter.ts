/**
 * A token bucket: `ratePerSecond` tokens flow in continuously, at most `burst` are held. One frame
 * costs one token; a connection with none left is flooding. Time comes from the arrival of each
 * frame, so a busy server never mistakes its own slowness for a flood.
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

  /** Takes `cost` tokens (one by default); false, taking nothing, when the bucket holds fewer. */
  take(cost = 1): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
    this.last = t;
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }
}
