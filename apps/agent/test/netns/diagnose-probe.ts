/**
 * The agent's collector with a diagnoser kept across snapshots, inside a network namespace: the
 * netns tests start it with `ip netns exec NS node --import tsx diagnose-probe.ts`, write "sample"
 * lines and read one JSON line per sample, `{"report": …}` (diagnostics included) or `{"error": …}`.
 * A long-lived process because churn and leaks are seen only from snapshot to snapshot.
 */
import { createInterface } from 'node:readline';
import { collectReport } from '../../src/collect/index.ts';
import { Diagnoser } from '../../src/diagnose/index.ts';

const diagnoser = new Diagnoser({ attributeEveryMs: 0 });
let queue = Promise.resolve();
createInterface({ input: process.stdin }).on('line', () => {
  queue = queue.then(async () => {
    try {
      const { report } = await collectReport({ diagnoser });
      process.stdout.write(`${JSON.stringify({ report })}\n`);
    } catch (error) {
      process.stdout.write(`${JSON.stringify({ error: error instanceof Error ? error.message : String(error) })}\n`);
    }
  });
});
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
