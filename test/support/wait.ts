import { expect } from 'vitest';

/**
 * Waiting on observable outcomes, for every tier: `poll` for an expectation that must come true,
 * `waitUntil` for a value to appear. Neither asserts how long anything took; the generous timeouts
 * are room for a loaded machine (other suites share its cores), not a performance claim.
 */

/** expect.poll with room for a loaded machine; a default one-second poll fails on scheduling alone. */
export function poll<T>(fn: () => T | Promise<T>, options: { timeout?: number; interval?: number } = {}) {
  return expect.poll(fn, { timeout: 15_000, interval: 100, ...options });
}

/** Thrown by a probe to stop waiting at once (the process under test died, say) instead of retrying. */
export class GiveUp extends Error {
  override name = 'GiveUp';
}

/**
 * Calls `probe` until it returns a value other than undefined or false, and returns that value.
 * A probe that throws is retried (the service may not be up yet) unless it throws GiveUp; after
 * `timeoutMs` the error names `what`, the last error and `describe()` (a process's output, say).
 */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
  describe: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (true) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      if (error instanceof GiveUp) throw error;
      last = error;
    }
    if (Date.now() > deadline) {
      const cause = last instanceof Error ? ` (last error: ${last.message})` : '';
      const detail = describe();
      throw new Error(`timed out waiting for ${what}${cause}${detail === '' ? '' : `\n${detail}`}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
