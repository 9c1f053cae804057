import type { TcpState } from '@portpressure/protocol';

/**
 * One socket as read from the kernel, already normalised so that both sources (netlink via `ss`
 * and /proc/net) produce identical records: addresses in text form with IPv4-mapped IPv6 written
 * as IPv4, no brackets and no `%interface` suffix, ports as numbers (0 for a wildcard peer).
 */
export interface SocketRecord {
  /** For UDP: ESTABLISHED when connected, CLOSE otherwise. */
  state: TcpState;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /**
   * Whole seconds left on a TIME_WAIT entry's timer (rounded down); null for every other state,
   * and for TIME_WAIT when the source did not report it. Whole seconds because `ss` drops the
   * fraction above 10 s, and both sources must yield identical records.
   */
  timeWaitSecondsLeft: number | null;
}

/** A port range, both ends inclusive. */
export interface PortBounds {
  low: number;
  high: number;
}
