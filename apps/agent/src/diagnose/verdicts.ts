import { reuseAllowed } from '@portpressure/domain';
import type { Conntrack, KernelCounterDelta, PortReport, Snat, TupleUsage, Verdict } from '@portpressure/protocol';
import type { TupleObservation } from './tuple-churn.ts';

/** Thresholds of the verdicts; docs/diagnosis.md states them. */
export const VERDICT_THRESHOLDS = {
  /** churn without pooling: at least this many new connections per second to one tuple… */
  churnPerSecond: 5,
  /** …with at least this share of its sockets in TIME_WAIT. */
  churnTimeWaitShare: 0.5,
  /** leak: open sockets rose at every one of this many consecutive snapshots… */
  leakSnapshots: 4,
  /** …by at least this many in all. */
  leakGrowth: 5,
  /** one source address: a tuple at this pressure or more. */
  tuplePressure: 0.5,
  /** bind-before-connect: host-wide ports at this share of the usable ones or more… */
  hostPortsShare: 0.8,
  /** …while the worst tuple is below tuplePressure. */
  /** conntrack: the table at this share of its maximum or more. */
  conntrackShare: 0.8,
  /** SNAT: a pool at this share of the NAT range or more. */
  snatPressure: 0.8,
} as const;

const RFC_6335 =
  'widen net.ipv4.ip_local_port_range (e.g. 1024-65535 gives 64,512 ports), minding RFC 6335: ports below 49152 are registered service ports, so list the ports local services listen on in net.ipv4.ip_local_reserved_ports first';

function percent(share: number): string {
  return `${Math.round(share * 100)} %`;
}

function rate(perSecond: number): string {
  return perSecond >= 10 ? String(Math.round(perSecond)) : perSecond.toFixed(1);
}

function endpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Verdicts about one tuple from its usage and what the churn tracker saw. */
export function tupleVerdicts(tuple: TupleUsage, seen: TupleObservation, report: PortReport): Verdict[] {
  const verdicts: Verdict[] = [];
  const destination = endpoint(tuple.remoteAddress, tuple.remotePort);
  const { churn, openHistory, closeWait } = seen;

  const window = openHistory.slice(-VERDICT_THRESHOLDS.leakSnapshots);
  const rising = window.length === VERDICT_THRESHOLDS.leakSnapshots && window.every((n, i) => i === 0 || n > (window[i - 1] ?? n));
  const first = window[0] ?? 0;
  const last = window[window.length - 1] ?? 0;
  if (rising && last - first >= VERDICT_THRESHOLDS.leakGrowth) {
    verdicts.push({
      code: 'leak',
      text: `leak: open connections to ${destination} grew from ${first} to ${last} over the last ${window.length} snapshots${closeWait > 0 ? `, ${closeWait} in CLOSE_WAIT` : ''}`,
      advice: [
        'close connections when done, or return them to the pool: look for a missing close(), release() or response body read',
        ...(closeWait > 0 ? ['CLOSE_WAIT means the server closed and the application never did: its code holds the socket'] : []),
        'cap the pool (maximum connections per host) so a leak fails loudly instead of taking every port',
      ],
    });
  }

  const perSecond = churn.newPerSecond ?? 0;
  if (perSecond >= VERDICT_THRESHOLDS.churnPerSecond && churn.timeWaitShare >= VERDICT_THRESHOLDS.churnTimeWaitShare) {
    const advice = [
      `reuse connections: a connection pool or HTTP keep-alive toward ${destination} turns ${rate(perSecond)} connects/s into a few long-lived sockets`,
      'let the server close first where the protocol allows it: TIME_WAIT then stays on the server and does not block this tuple',
    ];
    if (!reuseAllowed(tuple.localAddress, tuple.remoteAddress, report.sysctls) && report.sysctls.tcpTimestamps !== 0) {
      advice.push(
        'net.ipv4.tcp_tw_reuse=1 lets connect() recycle TIME_WAIT entries older than a second (TCP timestamps must be on at both ends)',
      );
    }
    verdicts.push({
      code: 'churn-without-pooling',
      text: `churn without pooling: ${rate(perSecond)} new connections/s to ${destination}, ${percent(churn.timeWaitShare)} TIME_WAIT`,
      advice,
    });
  }

  if (tuple.pressure >= VERDICT_THRESHOLDS.tuplePressure) {
    const others = report.tuples.some(
      (t) =>
        t !== tuple &&
        t.remoteAddress === tuple.remoteAddress &&
        t.remotePort === tuple.remotePort &&
        t.localAddress !== tuple.localAddress,
    );
    if (!others) {
      verdicts.push({
        code: 'one-source-address',
        text: `one source address: ${percent(tuple.pressure)} of the ports toward ${destination} are taken from ${tuple.localAddress} alone`,
        advice: [
          'add source addresses: every local address has its own full port range toward a destination (bind the client to several, or add addresses to the interface)',
          'or spread the load over more destinations (addresses or ports of the server): the limit is per destination',
          RFC_6335,
        ],
      });
    }
  }
  return verdicts;
}

/** What the namespace-wide verdicts look at besides the report. */
export interface NamespaceEvidence {
  /** LISTEN ports inside the effective range, ascending. */
  listeningInRange: number[];
  conntrack: Conntrack | null;
  snat: Snat | null;
  kernel: KernelCounterDelta[];
}

/** Verdicts about the namespace as a whole. */
export function namespaceVerdicts(report: PortReport, evidence: NamespaceEvidence): Verdict[] {
  const verdicts: Verdict[] = [];
  const { listeningInRange, conntrack, snat, kernel } = evidence;
  if (report.bindOwned > 0 && listeningInRange.length > 0) {
    const shown = listeningInRange.slice(0, 10).join(', ') + (listeningInRange.length > 10 ? ', …' : '');
    verdicts.push({
      code: 'listeners-in-range',
      text: `listeners inside the range: ${report.bindOwned} port${report.bindOwned === 1 ? '' : 's'} (${shown}) of ${report.range.low}-${report.range.high} are taken from every tuple`,
      advice: [
        'move the services to ports outside net.ipv4.ip_local_port_range',
        `or list them in net.ipv4.ip_local_reserved_ports (e.g. sysctl -w net.ipv4.ip_local_reserved_ports=${listeningInRange.slice(0, 10).join(',')}) so the kernel never hands them out and the service always gets its port`,
      ],
    });
  }

  if (
    report.usable > 0 &&
    report.hostPortsInUse / report.usable >= VERDICT_THRESHOLDS.hostPortsShare &&
    report.pressure < VERDICT_THRESHOLDS.tuplePressure
  ) {
    verdicts.push({
      code: 'bind-before-connect',
      text: `ports nearly exhausted host-wide: ${report.hostPortsInUse} of ${report.usable} in use while the worst tuple is at ${percent(report.pressure)}; bind(0) and bind-before-connect clients will fail with EADDRINUSE`,
      advice: [
        'clients that bind() a source address before connect() take a port for every destination: set IP_BIND_ADDRESS_NO_PORT on the socket before bind() so the port is picked at connect() and shared between destinations',
        RFC_6335,
      ],
    });
  }

  if (conntrack) {
    const share = conntrack.max > 0 ? conntrack.count / conntrack.max : 0;
    const lost = (conntrack.insertFailed ?? 0) + (conntrack.drop ?? 0) + (conntrack.earlyDrop ?? 0);
    if (share >= VERDICT_THRESHOLDS.conntrackShare || lost > 0) {
      verdicts.push({
        code: 'conntrack-full',
        text: `conntrack table at ${conntrack.count} of ${conntrack.max} (${percent(share)})${lost > 0 ? `; since the last snapshot ${conntrack.insertFailed ?? 0} insert failures, ${conntrack.drop ?? 0} drops, ${conntrack.earlyDrop ?? 0} early drops` : ''}`,
        advice: [
          'raise net.netfilter.nf_conntrack_max (and nf_conntrack_buckets with it)',
          'shorten the timeouts of finished connections (net.netfilter.nf_conntrack_tcp_timeout_time_wait, …_close_wait)',
          'reuse connections upstream: every new connection is a new entry',
        ],
      });
    }
  }

  const fullest = snat?.pools[0];
  if (snat && fullest && fullest.pressure >= VERDICT_THRESHOLDS.snatPressure) {
    verdicts.push({
      code: 'snat-exhaustion',
      text: `SNAT ports running out: ${fullest.portsInUse} of ${fullest.capacity} translated ports from ${fullest.translatedAddress} toward ${endpoint(fullest.remoteAddress, fullest.remotePort)} (${percent(fullest.pressure)}); past the range new connections are dropped silently`,
      advice: [
        snat.portRange
          ? `widen the NAT rule's port range (now ${snat.portRange.low}-${snat.portRange.high})`
          : 'give the NAT rule a wider port range, or more translated addresses',
        'add translated source addresses (SNAT to several addresses, or more NAT gateways)',
        'reuse connections behind the NAT: a pool or keep-alive in the clients',
      ],
    });
  }

  const recycled = kernel.find((k) => k.name === 'TWRecycled')?.delta ?? 0;
  const overflow = kernel.find((k) => k.name === 'TCPTimeWaitOverflow')?.delta ?? 0;
  if (recycled > 0 || overflow > 0) {
    const parts = [
      ...(recycled > 0 ? [`${recycled} TIME_WAIT entries recycled by connect()`] : []),
      ...(overflow > 0 ? [`${overflow} TIME_WAIT entries not created (tcp_max_tw_buckets reached)`] : []),
    ];
    verdicts.push({
      code: 'kernel-recycling',
      text: `the kernel is already recycling ports: ${parts.join(', ')} since the last snapshot`,
      advice: [
        'ports are being reused as fast as TIME_WAIT allows: reuse connections (pool, keep-alive) before connects start failing',
        ...(overflow > 0
          ? ['TIME_WAIT overflow drops the protection against stray segments: fix the churn rather than raising tcp_max_tw_buckets']
          : []),
      ],
    });
  }
  return verdicts;
}
