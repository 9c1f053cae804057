import { DomainError, excerpt } from './domain-error.ts';
import type { PortBounds } from './socket-record.ts';

const MAX_PORT = 65535;

/**
 * Parses a port list such as `net.ipv4.ip_local_reserved_ports` ("8080,40000-40009"): comma
 * separated `N` and `A-B` items. The kernel already normalises what it prints, but a hand-written
 * list (tests, config) may be unsorted or overlapping, so the result is always sorted and merged.
 */
export function parsePortList(text: string): PortBounds[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const items: PortBounds[] = [];
  for (const raw of trimmed.split(',')) {
    const item = raw.trim();
    const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(item);
    if (!match) throw new DomainError('MALFORMED_PORT_LIST', `bad item "${excerpt(item)}" in port list "${excerpt(text)}"`);
    const low = Number(match[1]);
    const high = match[2] === undefined ? low : Number(match[2]);
    if (high > MAX_PORT || low > high) {
      throw new DomainError('MALFORMED_PORT_LIST', `bad range "${item}" in port list (ports are 0-65535, low before high)`);
    }
    items.push({ low, high });
  }
  items.sort((a, b) => a.low - b.low);
  const merged: PortBounds[] = [];
  for (const item of items) {
    const last = merged[merged.length - 1];
    if (last && item.low <= last.high + 1) last.high = Math.max(last.high, item.high);
    else merged.push({ ...item });
  }
  return merged;
}

/** Writes intervals the way the kernel prints them: "80,1000-1010". */
export function formatPortList(intervals: readonly PortBounds[]): string {
  return intervals.map((i) => (i.low === i.high ? `${i.low}` : `${i.low}-${i.high}`)).join(',');
}

/** How many ports of `intervals` fall inside `range`. */
export function countPortsInRange(intervals: readonly PortBounds[], range: PortBounds): number {
  let count = 0;
  for (const i of intervals) {
    const low = Math.max(i.low, range.low);
    const high = Math.min(i.high, range.high);
    if (low <= high) count += high - low + 1;
  }
  return count;
}

/**
 * A 65,536-entry mask with 1 for each port of the effective range (the range minus reserved
 * ports): the ports the kernel may hand out itself. A flat array keeps per-socket checks O(1) on
 * tables with tens of thousands of sockets.
 */
export function effectivePortMask(range: PortBounds, reserved: readonly PortBounds[]): Uint8Array {
  const mask = new Uint8Array(MAX_PORT + 1);
  mask.fill(1, range.low, range.high + 1);
  for (const r of reserved) mask.fill(0, r.low, r.high + 1);
  return mask;
}

/** Validates `ip_local_port_range` values. */
export function assertPortRange(range: PortBounds): void {
  const ok =
    Number.isInteger(range.low) && Number.isInteger(range.high) && range.low >= 1 && range.high <= MAX_PORT && range.low <= range.high;
  if (!ok) throw new DomainError('INVALID_RANGE', `invalid port range ${range.low}-${range.high}`);
}
