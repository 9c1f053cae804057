import type { Snapshot } from '@portpressure/protocol';
import { describe, expect, it } from 'vitest';
import { ServiceMetrics } from '../metrics/service-metrics.ts';
import { SnapshotEvents, type StoredSnapshot } from './snapshot-events.ts';

const stored = (hostId: string, seq: number): StoredSnapshot => ({
  hostId,
  snapshot: { type: 'snapshot', seq, takenAt: new Date(seq * 1000).toISOString(), report: {} as Snapshot['report'] },
});

describe('SnapshotEvents', () => {
  it('counts and times the runs of each listener by outcome, under its own name', async () => {
    const metrics = new ServiceMetrics();
    const events = new SnapshotEvents(metrics);
    let calls = 0;
    events.onStored('history', () => undefined);
    events.onStored('flaky', () => {
      calls += 1;
      if (calls === 2) throw new Error('boom');
    });
    for (let seq = 1; seq <= 3; seq++) await events.emitStored(stored('a', seq));
    const text = await metrics.registry.metrics();
    expect(text).toContain('portpressure_post_commit_runs_total{listener="history",outcome="ok"} 3');
    expect(text).toContain('portpressure_post_commit_runs_total{listener="flaky",outcome="ok"} 2');
    expect(text).toContain('portpressure_post_commit_runs_total{listener="flaky",outcome="error"} 1');
    expect(text).toContain('portpressure_post_commit_run_duration_seconds_count{listener="history"} 3');
    expect(text).toContain('portpressure_post_commit_run_duration_seconds_count{listener="flaky"} 3');
  });

  it('hands batch listeners everything emitted in one turn, in order, and one batch at a time', async () => {
    const events = new SnapshotEvents();
    const batches: string[][] = [];
    let running = 0;
    events.onStoredBatch('test', async (batch) => {
      running += 1;
      expect(running).toBe(1);
      batches.push(batch.map((s) => `${s.hostId}/${s.snapshot.seq}`));
      await new Promise((r) => setTimeout(r, 5));
      running -= 1;
    });
    const first = [stored('a', 1), stored('b', 1), stored('a', 2)].map((s) => events.emitStored(s));
    await new Promise((r) => setImmediate(r));
    const second = events.emitStored(stored('a', 3));
    await Promise.all([...first, second]);
    expect(batches).toEqual([['a/1', 'b/1', 'a/2'], ['a/3']]);
  });

  it('puts everything emitted while a batch runs into the next batch, whole, instead of one batch per turn', async () => {
    const events = new SnapshotEvents();
    const batches: string[][] = [];
    events.onStoredBatch('slow', async (batch) => {
      batches.push(batch.map((s) => `${s.hostId}/${s.snapshot.seq}`));
      await new Promise((r) => setTimeout(r, 30));
    });
    const done = [events.emitStored(stored('a', 1))];
    // three more turns of the event loop while the first batch runs
    for (let seq = 2; seq <= 4; seq++) {
      await new Promise((r) => setImmediate(r));
      done.push(events.emitStored(stored('a', seq)), events.emitStored(stored('b', seq)));
    }
    await Promise.all(done);
    expect(batches).toEqual([['a/1'], ['a/2', 'b/2', 'a/3', 'b/3', 'a/4', 'b/4']]);
  });

  it('keeps serving when a listener fails, and calls per-snapshot listeners for each snapshot', async () => {
    const events = new SnapshotEvents();
    const seen: number[] = [];
    events.onStored('broken', () => {
      throw new Error('boom');
    });
    events.onStored('counter', (s) => void seen.push(s.snapshot.seq));
    events.onStoredBatch('broken-batch', async () => {
      throw new Error('boom');
    });
    await expect(events.emitStored(stored('a', 1))).resolves.toBeUndefined();
    await events.emitStored(stored('a', 2));
    expect(seen).toEqual([1, 2]);
  });

  it('runs per-snapshot listeners for a bounded number of snapshots at once, and for every one', async () => {
    const events = new SnapshotEvents();
    let running = 0;
    let most = 0;
    const seen: number[] = [];
    events.onStored('slow', async (s) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 2));
      seen.push(s.snapshot.seq);
      running -= 1;
    });
    await Promise.all(Array.from({ length: 50 }, (_, i) => events.emitStored(stored(`h${i}`, i + 1))));
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(16);
  });
});
