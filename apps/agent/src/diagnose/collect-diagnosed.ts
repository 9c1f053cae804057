import { setTimeout as sleep } from 'node:timers/promises';
import { type CollectOptions, type CollectResult, collectReport } from '../collect/index.ts';
import { Diagnoser } from './diagnoser.ts';

/**
 * `check`'s measurement with a diagnosis: churn and counter deltas need two snapshots, so with a
 * window the namespace is measured once, then again `churnWindowSeconds` later, and the second
 * report (with rates) is the answer.
 */
export async function collectDiagnosed(options: CollectOptions, churnWindowSeconds: number): Promise<CollectResult> {
  const diagnoser = new Diagnoser({ attributeEveryMs: 0 });
  if (churnWindowSeconds > 0) {
    await collectReport({ ...options, diagnoser });
    await sleep(churnWindowSeconds * 1000);
  }
  return collectReport({ ...options, diagnoser });
}
