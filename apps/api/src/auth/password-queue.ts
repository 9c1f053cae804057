/**
 * Runs password checks one at a time, with at most `maxWaiting` waiting. scrypt at sign-in cost
 * (32 MiB, ~0.3-0.5 s) runs on libuv's thread pool, which static files, DNS and zlib share: a
 * flood of wrong passwords from many addresses used to fill all four threads, and /api/health and
 * the UI's files then took seconds. One thread at most now goes to hashing, and a full queue is
 * answered at once (503) instead of growing.
 */
export class PasswordQueue {
  private running = false;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly maxWaiting: number) {}

  /** Runs `task` when its turn comes; undefined, without running it, when the queue is full. */
  async run<T>(task: () => Promise<T>): Promise<T | undefined> {
    if (this.running) {
      if (this.waiting.length >= this.maxWaiting) return undefined;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.running = true;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running = false;
    }
  }
}
