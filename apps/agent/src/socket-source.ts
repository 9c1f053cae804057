import type { SourceChoice } from './collect/index.ts';

/**
 * The socket table sources by what they are: `ss` runs the `ss` tool (which asks the kernel over
 * sock_diag netlink, filtered there), `proc` reads /proc/net/{tcp,tcp6,udp,udp6}, `auto` tries
 * `ss` and falls back to `proc` with a warning. `netlink`, the old name of `ss`, is still accepted.
 * A new source is its collector plus an entry here.
 */
const SOURCE_NAMES = {
  auto: 'auto',
  ss: 'netlink',
  proc: 'proc',
} as const satisfies Record<string, SourceChoice>;

/** Old names users may still pass, and what they mean now. */
const ALIASES: Readonly<Record<string, SourceName>> = { netlink: 'ss' };

export type SourceName = keyof typeof SOURCE_NAMES;

/** The choices as help and error messages list them. */
export const SOURCE_CHOICES = Object.keys(SOURCE_NAMES).join(', ');

/** `ss`, `proc`, `auto` or an alias; undefined for anything else. */
export function parseSourceName(value: string): SourceName | undefined {
  if (Object.hasOwn(SOURCE_NAMES, value)) return value as SourceName;
  return Object.hasOwn(ALIASES, value) ? ALIASES[value] : undefined;
}

/**
 * The collector's option for a source. Reports keep calling the `ss` source `netlink` on the
 * wire (protocol v1's `source` field), so stored data and older APIs read them unchanged.
 */
export function collectorSource(name: SourceName): SourceChoice {
  return SOURCE_NAMES[name];
}

/** How a report's `source` field reads to people. */
export function describeReportSource(source: 'netlink' | 'proc'): string {
  return source === 'netlink' ? 'ss (netlink, filtered in the kernel)' : '/proc/net/{tcp,tcp6,udp,udp6}';
}
