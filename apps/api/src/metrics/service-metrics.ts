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

  readonly snapshotsReceived = new Counter({
    name: 'portpressure_snapshots_received_total',
    help: 'Snapshots handed to the ingest writer (resends included).',
    registers: [this.registry],
  });
  readonly snapshotsStored = new Counter({
    name: 'portpressure_snapshots_stored_total',
    help: 'Snapshots committed to PostgreSQL for the first time (a resend of a stored one is not counted).',
    registers: [this.registry],
  });
  readonly snapshotsFailed = new Counter({
    name: 'portpressure_snapshots_failed_total',
    help: 'Snapshots PostgreSQL refused (the agent keeps them and sends them again).',
    registers: [this.registry],
  });
  readonly batchDuration = new Histogram({
    name: 'portpressure_ingest_batch_duration_seconds',
    help: 'Time to write and commit one batch of snapshots.',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'portpressure_ingest_batch_snapshots',
    help: 'Snapshots per committed batch.',
    buckets: SIZE_BUCKETS,
    registers: [this.registry],
  });
  readonly ackLatency = new Histogram({
    name: 'portpressure_ingest_ack_latency_seconds',
    help: 'From a snapshot reaching the writer to its commit, after which its ack is sent.',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly postCommitLag = new Histogram({
    name: 'portpressure_post_commit_lag_seconds',
    help: 'From a snapshot commit until every post-commit listener (alerts, history, live) has handled it.',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly listenerRuns = new Counter({
    name: 'portpressure_post_commit_runs_total',
    help: 'Runs of post-commit listeners; listener="alerts" are alert evaluations, listener="history" history records.',
    labelNames: ['listener', 'outcome'],
    registers: [this.registry],
  });
  readonly listenerDuration = new Histogram({
    name: 'portpressure_post_commit_run_duration_seconds',
    help: 'Duration of one post-commit listener run.',
    labelNames: ['listener'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly historyFlushes = new Counter({
    name: 'portpressure_history_flushes_total',
    help: 'Runs of the history job that writes minute rollups and trends.',
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // prom-client names these gauges `_total`, which Prometheus reserves for counters (promtool
    // flags them); the handle counts add little to the process and event-loop metrics kept.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
      this.registry.removeSingleMetric(name);
    }
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
