import type { Hello, PortReport, Snapshot, TupleUsage } from '@portpressure/protocol';
import { PROTOCOL_VERSION } from '@portpressure/protocol';
import { aPortReport, aTuple } from '../../../../packages/protocol/src/test-factories.ts';

export { aTuple };

/** A consistent report for a 100-port range (40000-40099) whose worst tuple has `used` ports. */
export function aReport(options: { used?: number; tuples?: TupleUsage[] } = {}): PortReport {
  return aPortReport(options.tuples ?? [aTuple({ used: options.used ?? 50 })]);
}

export function aHello(hostname: string, machineId = `machine${hostname.replace(/[^A-Za-z0-9]/g, '')}00000000`): Hello {
  return {
    type: 'hello',
    protocolVersion: PROTOCOL_VERSION,
    agentVersion: 'test',
    host: { machineId: machineId.slice(0, 64), hostname, labels: { env: 'test' } },
  };
}

export function aSnapshot(seq: number, report: PortReport = aReport(), takenAt = new Date()): Snapshot {
  return { type: 'snapshot', seq, takenAt: takenAt.toISOString(), report };
}
