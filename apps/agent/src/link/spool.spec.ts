import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Snapshot } from '@portpressure/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { Spool } from './spool.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pp-spool-'));
  dirs.push(dir);
  return path.join(dir, 'spool');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Spools only need a seq and something to carry; the report's content is not theirs to check. */
function snap(seq: number): Snapshot {
  return {
    type: 'snapshot',
    seq,
    takenAt: new Date(1_700_000_000_000 + seq * 1000).toISOString(),
    report: { seq } as unknown as Snapshot['report'],
  };
}

describe('Spool', () => {
  it('keeps snapshots on disk until they are acked, and finds them again after a restart', () => {
    const dir = tempDir();
    const spool = Spool.open(dir, 10);
    for (let seq = 1; seq <= 4; seq++) spool.append(snap(seq));
    spool.ack(2);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dir, '0000000000000001.json')).mode & 0o777).toBe(0o600);

    const reopened = Spool.open(dir, 10);
    expect(reopened.pending).toEqual([1, 3, 4]);
    expect(reopened.read(3)).toEqual(snap(3));
    expect(reopened.lastSeq).toBe(4);
  });

  it('drops the oldest when full and records the dropped seqs as one growing gap', () => {
    const dir = tempDir();
    const spool = Spool.open(dir, 3);
    for (let seq = 1; seq <= 7; seq++) spool.append(snap(seq));
    expect(spool.pending).toEqual([5, 6, 7]);
    expect(spool.gaps).toEqual([{ fromSeq: 1, toSeq: 4 }]);
    expect(readdirSync(dir).filter((f) => f !== 'gaps.json')).toHaveLength(3);
    // the gap survives a restart until the API acknowledges it
    expect(Spool.open(dir, 3).gaps).toEqual([{ fromSeq: 1, toSeq: 4 }]);
  });

  it('keeps the unreported rest of a gap that grew while its report was in flight', () => {
    const spool = Spool.open(tempDir(), 2);
    for (let seq = 1; seq <= 4; seq++) spool.append(snap(seq)); // gap 1…2
    spool.append(snap(5)); // gap grows to 1…3 before the ack of 1…2 arrives
    spool.ackGap({ fromSeq: 1, toSeq: 2 });
    expect(spool.gaps).toEqual([{ fromSeq: 3, toSeq: 3 }]);
    spool.ackGap({ fromSeq: 1, toSeq: 3 }); // a later report of the whole range
    expect(spool.gaps).toEqual([]);
  });

  it('starts a new gap when drops resume after an acknowledged one', () => {
    const spool = Spool.open(tempDir(), 1);
    spool.append(snap(1));
    spool.append(snap(2));
    spool.ackGap({ fromSeq: 1, toSeq: 1 });
    spool.ack(2);
    spool.append(snap(3));
    spool.append(snap(4));
    expect(spool.gaps).toEqual([{ fromSeq: 3, toSeq: 3 }]);
  });

  it('trims to a smaller capacity on open, through the same gap accounting', () => {
    const dir = tempDir();
    const big = Spool.open(dir, 10);
    for (let seq = 1; seq <= 6; seq++) big.append(snap(seq));
    const small = Spool.open(dir, 4);
    expect(small.pending).toEqual([3, 4, 5, 6]);
    expect(small.gaps).toEqual([{ fromSeq: 1, toSeq: 2 }]);
  });

  it('treats an unreadable file as dropped (reported as a gap) and ignores half-written ones', () => {
    const dir = tempDir();
    const spool = Spool.open(dir, 10);
    spool.append(snap(1));
    spool.append(snap(2));
    writeFileSync(path.join(dir, '0000000000000001.json'), '{"trunc');
    writeFileSync(path.join(dir, '0000000000000003.json.tmp'), 'partial');
    const reopened = Spool.open(dir, 10);
    expect(reopened.pending).toEqual([1, 2]);
    expect(reopened.read(1)).toBeUndefined();
    expect(reopened.pending).toEqual([2]);
    expect(reopened.gaps).toEqual([{ fromSeq: 1, toSeq: 1 }]);
    expect(readdirSync(dir)).not.toContain('0000000000000003.json.tmp');
  });
});
