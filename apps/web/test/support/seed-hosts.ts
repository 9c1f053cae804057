import type { Labels, TupleUsage } from '@portpressure/protocol';
import { connectEnrolled, isAck, type AgentClient } from '../../../api/test/support/api-harness.ts';
import { aHello, aReport, aSnapshot, aTuple } from '../../../api/test/support/factories.ts';

export interface TupleSpec {
  remoteAddress: string;
  remotePort: number;
  localAddress?: string;
  used: number;
  timeWait?: number;
}

/** A test host reporting through the real ingest path (enrollment, credential, ws frames, acks). */
export interface SeededHost {
  hostId: string;
  hostname: string;
  agent: AgentClient;
  /** Sends one snapshot taken at `at` (default now) and waits for its ack. */
  report(tuples: TupleSpec[], at?: number): Promise<void>;
  /** Sends many snapshots back to back (as an agent replaying its spool) and waits for the last ack. */
  reportMany(snapshots: { tuples: TupleSpec[]; at: number }[]): Promise<void>;
}

function toTuple(t: TupleSpec): TupleUsage {
  const timeWait = t.timeWait ?? 0;
  return aTuple({
    remoteAddress: t.remoteAddress,
    remotePort: t.remotePort,
    localAddress: t.localAddress ?? '10.0.0.1',
    used: t.used,
    timeWait,
    states: timeWait > 0 ? { ESTABLISHED: t.used - timeWait, TIME_WAIT: timeWait } : { ESTABLISHED: t.used },
  });
}

export async function seedHost(baseUrl: string, hostname: string, labels: Labels): Promise<SeededHost> {
  const hello = aHello(hostname);
  const { agent, host } = await connectEnrolled(baseUrl, { ...hello, host: { ...hello.host, labels } });
  let seq = 0;
  const reportMany = async (snapshots: { tuples: TupleSpec[]; at: number }[]) => {
    for (const s of snapshots) {
      seq += 1;
      const listed = s.tuples.map(toTuple).sort((a, b) => b.pressure - a.pressure);
      agent.send(aSnapshot(seq, aReport({ tuples: listed }), new Date(s.at)));
    }
    await agent.waitFor(isAck(seq), 30_000);
  };
  return {
    hostId: host.hostId,
    hostname,
    agent,
    report: (tuples, at = Date.now()) => reportMany([{ tuples, at }]),
    reportMany,
  };
}

/** An hour of history every `stepSeconds`, shaped by `tuplesAt(minutesAgo)`, ending now. */
export async function seedHour(host: SeededHost, tuplesAt: (minutesAgo: number) => TupleSpec[], stepSeconds = 5): Promise<void> {
  const now = Date.now();
  const snapshots: { tuples: TupleSpec[]; at: number }[] = [];
  for (let s = 3600; s > 0; s -= stepSeconds) snapshots.push({ tuples: tuplesAt(s / 60), at: now - s * 1000 });
  await host.reportMany(snapshots);
}
