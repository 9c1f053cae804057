import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Seconds: from a millisecond commit on an idle server to a stalled one. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const SIZE_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 200, 400];

/**
 * The API's own instruments, in one registry per API instance (not prom-client's global one, so
 * several instances in one process, as in the tests, never mix their counts). Features record into
 * it where the work happens; MetricsController serves it with the fleet's figures added at scrape.
 */
@Injectable()
export class ServiceMetrics {
  readonly registry = new Registry();

  readonly snapshotsReceived = this.counter(
    'portpressure_snapshots_received_total',
    'Snapshots handed to the ingest writer (resends included).',
  );
  readonly snapshotsStored = this.counter(
    'portpressure_snapshots_stored_total',
    'Snapshots committed to PostgreSQL for the first time (a resend of a stored one is not counted).',
  );
  readonly snapshotsFailed = this.counter(
    'portpressure_snapshots_failed_total',
    'Snapshots PostgreSQL refused (the agent keeps them and sends them again).',
  );
  readonly batchDuration = this.histogram('portpressure_ingest_batch_duration_seconds', 'Time to write and commit one batch of snapshots.');
  readonly batchSize = this.histogram('portpressure_ingest_batch_snapshots', 'Snapshots per committed batch.', [], SIZE_BUCKETS);
  readonly ackLatency = this.histogram(
    'portpressure_ingest_ack_latency_seconds',
    'From a snapshot reaching the writer to its commit, after which its ack is sent.',
  );
  readonly postCommitLag = this.histogram(
    'portpressure_post_commit_lag_seconds',
    'From a snapshot commit until every post-commit listener (alerts, history, live) has handled it.',
  );
  readonly listenerRuns = this.counter(
    'portpressure_post_commit_runs_total',
    'Runs of post-commit listeners; listener="alerts" are alert evaluations, listener="history" history records.',
    ['listener', 'outcome'],
  );
  readonly listenerDuration = this.histogram('portpressure_post_commit_run_duration_seconds', 'Duration of one post-commit listener run.', [
    'listener',
  ]);
  readonly historyFlushes = this.counter(
    'portpressure_history_flushes_total',
    'Runs of the history job that writes minute rollups and trends.',
    ['outcome'],
  );

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // prom-client names these gauges `_total`, which Prometheus reserves for counters (promtool
    // flags them); the handle counts add little to the process and event-loop metrics kept.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
      this.registry.removeSingleMetric(name);
    }
  }

  private counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  /** Latency histograms (seconds) unless other `buckets` are given. */
  private histogram<L extends string>(name: string, help: string, labelNames: readonly L[] = [], buckets = LATENCY_BUCKETS): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  /** Times `work` into a histogram. */
  async time<T>(histogram: Histogram, work: () => Promise<T>): Promise<T> {
    const end = histogram.startTimer();
    try {
      return await work();
    } finally {
      end();
    }
  }
}
