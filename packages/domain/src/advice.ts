import type { PortReport, TupleUsage } from '@portpressure/protocol';
import { reuseAllowed } from './time-wait.ts';

export type AdviceCode =
  | 'TUPLE_PRESSURE'
  | 'TIME_WAIT_REUSE_OFF'
  | 'TIME_WAIT_REUSE_LOOPBACK_ONLY'
  | 'TIME_WAIT_NO_TIMESTAMPS'
  | 'TIME_WAIT_RECYCLABLE'
  | 'NARROW_RANGE'
  | 'LISTENERS_IN_RANGE'
  | 'HOST_PORTS'
  | 'UDP_POOL';

/** One problem found in a report, with a one-line suggestion in plain words. */
export interface Advice {
  code: AdviceCode;
  message: string;
}

export interface AdviceOptions {
  /** Pressure from which a tuple or pool counts as a problem (the warning threshold). */
  threshold: number;
}

/** Ranges narrower than the kernel's default (32768-60999, 28,232 ports) are worth widening when a tuple is under pressure. */
const DEFAULT_RANGE_SIZE = 28_232;

/**
 * Turns a report into concrete advice, one line per problem, shared by `check`, the API and the
 * UI so that all three say the same thing.
 */
export function adviseOnReport(report: PortReport, options: AdviceOptions): Advice[] {
  const advice: Advice[] = [];
  const hot = report.tuples.filter((t) => t.pressure >= options.threshold);
  const worst = hot[0];
  if (worst) {
    const others = hot.length > 1 ? ` (and ${hot.length - 1} more tuple${hot.length > 2 ? 's' : ''})` : '';
    advice.push({
      code: 'TUPLE_PRESSURE',
      message:
        `${describeTuple(worst)} holds ${worst.used - worst.reclaimable} of ${report.usable} usable ports${others}: ` +
        'reuse connections (keep-alive, pooling) or spread them over more destination addresses, ports or source addresses.',
    });
    const timeWaitHeavy = hot.find((t) => t.timeWait * 2 >= t.used && t.reclaimable < t.timeWait);
    if (timeWaitHeavy) advice.push(timeWaitAdvice(timeWaitHeavy, report));
    else {
      const recyclable = hot.find((t) => t.reclaimable > 0 && t.reclaimable * 2 >= t.used);
      if (recyclable) {
        advice.push({
          code: 'TIME_WAIT_RECYCLABLE',
          message: `${recyclable.reclaimable} TIME_WAIT entries of ${describeTuple(recyclable)} can be recycled by connect() right now; the churn itself (short connections, client closing first) is the thing to fix.`,
        });
      }
    }
    if (report.capacity < DEFAULT_RANGE_SIZE) {
      advice.push({
        code: 'NARROW_RANGE',
        message: `The ephemeral range ${report.range.low}-${report.range.high} gives only ${report.capacity} ports: widen net.ipv4.ip_local_port_range.`,
      });
    }
  }
  if (report.bindOwned > 0) {
    advice.push({
      code: 'LISTENERS_IN_RANGE',
      message: `${report.bindOwned} listening port${report.bindOwned > 1 ? 's sit' : ' sits'} inside the ephemeral range and ${report.bindOwned > 1 ? 'are' : 'is'} lost to every tuple: move ${report.bindOwned > 1 ? 'them' : 'it'} out of ${report.range.low}-${report.range.high} or list ${report.bindOwned > 1 ? 'them' : 'it'} in net.ipv4.ip_local_reserved_ports.`,
    });
  }
  if (report.capacity > 0 && report.hostPortsInUse / report.capacity >= options.threshold) {
    advice.push({
      code: 'HOST_PORTS',
      message: `${report.hostPortsInUse} of ${report.capacity} ephemeral ports are in use host-wide: bind() to port 0 may soon fail with EADDRINUSE.`,
    });
  }
  if (report.udp.pressure >= options.threshold) {
    advice.push({
      code: 'UDP_POOL',
      message: `UDP sockets hold ${report.udp.used} of ${report.udp.capacity} ephemeral ports (each one exclusively): new UDP sockets will fail with EAGAIN; reuse sockets or widen the range.`,
    });
  }
  return advice;
}

function timeWaitAdvice(tuple: TupleUsage, report: PortReport): Advice {
  const { sysctls } = report;
  const lead = `TIME_WAIT holds ${tuple.timeWait} of ${tuple.used} ports of ${describeTuple(tuple)}`;
  if (sysctls.tcpTimestamps === 0) {
    return {
      code: 'TIME_WAIT_NO_TIMESTAMPS',
      message: `${lead} and net.ipv4.tcp_timestamps=0: connect() can only recycle TIME_WAIT with timestamps, so enable them (or let the server close first).`,
    };
  }
  if (sysctls.tcpTwReuse === 2 && !reuseAllowed(tuple.localAddress, tuple.remoteAddress, sysctls)) {
    return {
      code: 'TIME_WAIT_REUSE_LOOPBACK_ONLY',
      message: `${lead} and net.ipv4.tcp_tw_reuse=2 recycles only loopback connections: set it to 1, or let the server close first.`,
    };
  }
  if (sysctls.tcpTwReuse === 0) {
    return {
      code: 'TIME_WAIT_REUSE_OFF',
      message: `${lead} with net.ipv4.tcp_tw_reuse=0: set it to 1 (2 for loopback only) so connect() can recycle entries older than ${(sysctls.tcpTwReuseDelayMs ?? 1000) / 1000} s, or let the server close first.`,
    };
  }
  return {
    code: 'TIME_WAIT_RECYCLABLE',
    message: `${lead}; entries become recyclable ${(sysctls.tcpTwReuseDelayMs ?? 1000) / 1000} s after they start (net.ipv4.tcp_tw_reuse_delay).`,
  };
}

/** "127.0.0.1 → 10.0.0.5:443" (IPv6 in brackets). */
export function describeTuple(tuple: Pick<TupleUsage, 'localAddress' | 'remoteAddress' | 'remotePort'>): string {
  const remote = tuple.remoteAddress.includes(':') ? `[${tuple.remoteAddress}]` : tuple.remoteAddress;
  return `${tuple.localAddress} → ${remote}:${tuple.remotePort}`;
}
