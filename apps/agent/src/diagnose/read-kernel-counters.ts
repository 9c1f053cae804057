import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KERNEL_COUNTERS } from '@portpressure/protocol/agent-constants';
import type { KernelCounterName } from '@portpressure/protocol/diagnostics';

/** Which table of /proc/net/netstat or /proc/net/snmp holds each counter. */
const TABLE_OF: Record<KernelCounterName, 'TcpExt' | 'Tcp'> = {
  TWRecycled: 'TcpExt',
  TCPTimeWaitOverflow: 'TcpExt',
  TCPAbortFailed: 'TcpExt',
  TWKilled: 'TcpExt',
  TCPAbortOnMemory: 'TcpExt',
  ActiveOpens: 'Tcp',
  AttemptFails: 'Tcp',
};

/**
 * Parses the "Table: names" / "Table: values" line pairs of /proc/net/netstat and /proc/net/snmp
 * into `Table.Name` → value.
 */
export function parseNetstat(text: string): Map<string, number> {
  const values = new Map<string, number>();
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const names = (lines[i] ?? '').trim().split(/\s+/);
    const numbers = (lines[i + 1] ?? '').trim().split(/\s+/);
    const table = names[0]?.replace(/:$/, '');
    if (!table || numbers[0] !== names[0]) continue;
    for (let k = 1; k < names.length; k++) {
      const value = Number(numbers[k]);
      if (Number.isFinite(value)) values.set(`${table}.${names[k]}`, value);
    }
  }
  return values;
}

/** The counters of KERNEL_COUNTERS in the current namespace (those the kernel has). */
export function readKernelCounters(procNetDir: string): Map<KernelCounterName, number> {
  const all = new Map<string, number>();
  for (const file of ['netstat', 'snmp']) {
    try {
      for (const [k, v] of parseNetstat(readFileSync(join(procNetDir, file), 'utf8'))) all.set(k, v);
    } catch {
      // missing in odd containers: those counters are simply not reported
    }
  }
  const counters = new Map<KernelCounterName, number>();
  for (const name of KERNEL_COUNTERS) {
    const value = all.get(`${TABLE_OF[name]}.${name}`);
    if (value !== undefined) counters.set(name, value);
  }
  return counters;
}
