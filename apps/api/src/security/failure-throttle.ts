/**
 * Counts failures (refused upgrades, wrong tokens) per client address in fixed one-minute windows,
 * plus all addresses together at `globalFactor` times the per-address limit, so a guesser spread
 * over many addresses is slowed as well. A blocked client is answered before any database lookup:
 * that lookup is the cost a flood of wrong credentials would otherwise impose.
 */
export class FailureThrottle {
  private window = 0;
  private readonly counts = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly perAddressPerMinute: number,
    private readonly globalFactor = 10,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the client may try again, or 0 when it may now. */
  blockedFor(address: string): number {
    this.roll();
    const blocked =
      (this.counts.get(address) ?? 0) >= this.perAddressPerMinute || this.total >= this.perAddressPerMinute * this.globalFactor;
    return blocked ? Math.max(1, Math.ceil((this.window + 60_000 - this.now()) / 1000)) : 0;
  }

  recordFailure(address: string): void {
    this.roll();
    this.counts.set(address, (this.counts.get(address) ?? 0) + 1);
    this.total += 1;
  }

  private roll(): void {
    const window = Math.floor(this.now() / 60_000) * 60_000;
    if (window === this.window) return;
    this.window = window;
    this.counts.clear();
    this.total = 0;
  }
}
