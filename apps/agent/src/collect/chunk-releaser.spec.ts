import { describe, expect, it } from 'vitest';
import { RELEASE_EVERY_BYTES, chunkReleaser } from './chunk-releaser.ts';

describe('chunkReleaser', () => {
  it('asks for one minor collection per RELEASE_EVERY_BYTES of chunks, whatever their sizes', () => {
    const calls: unknown[] = [];
    const release = chunkReleaser((options) => calls.push(options));
    release(RELEASE_EVERY_BYTES - 1);
    expect(calls).toEqual([]);
    release(1);
    expect(calls).toEqual([{ type: 'minor' }]);
    for (let sent = 0; sent < 2 * RELEASE_EVERY_BYTES; sent += 65_536) release(65_536);
    expect(calls).toHaveLength(3);
  });

  it('does nothing when gc is not exposed', () => {
    const release = chunkReleaser(undefined);
    expect(() => release(10 * RELEASE_EVERY_BYTES)).not.toThrow();
  });
});
