import type { PortReport } from '@portpressure/protocol';
import { count, percent } from '../format.ts';

const REUSE: Record<number, string> = { 0: 'never', 1: 'always', 2: 'loopback only' };
const TIMESTAMPS: Record<number, string> = { 0: 'off', 1: 'on', 2: 'on, no random offset' };

/** The numbers the kernel hands ports out by, in the words of docs/domain.md. */
export function KernelPanel({ report }: { report: PortReport }) {
  const s = report.sysctls;
  return (
    <section className="card panel" aria-labelledby="kernel-title">
      <h2 id="kernel-title">Range and kernel settings</h2>
      <dl className="facts">
        <dt title="net.ipv4.ip_local_port_range">Ephemeral range</dt>
        <dd className="mono" data-testid="range">
          {report.range.low}–{report.range.high}
        </dd>
        <dt title="net.ipv4.ip_local_reserved_ports">Reserved ports</dt>
        <dd className="mono">
          {report.reservedPorts || 'none'}{' '}
          {report.reservedInRange > 0 && <span className="muted">({count(report.reservedInRange)} in range)</span>}
        </dd>
        <dt title="high − low + 1 − reserved in range">Capacity</dt>
        <dd>{count(report.capacity)} ports</dd>
        <dt title="ports of the range held by LISTEN sockets: lost to every tuple">bindOwned</dt>
        <dd className={report.bindOwned > 0 ? 'warning-text' : undefined} data-testid="bind-owned">
          {count(report.bindOwned)} {report.bindOwned > 0 && <span className="muted">listening inside the range</span>}
        </dd>
        <dt title="capacity − bindOwned: ports any new connect() can pick from">Usable per tuple</dt>
        <dd>{count(report.usable)} ports</dd>
        <dt title="distinct ports of the range used by any TCP socket: what bind(port 0) competes for">Host ports in use</dt>
        <dd>
          {count(report.hostPortsInUse)} <span className="muted">of {count(report.capacity)}</span>
        </dd>
        <dt title="UDP ports are held exclusively">UDP pool</dt>
        <dd>
          {count(report.udp.used)}{' '}
          <span className="muted">
            of {count(report.udp.capacity)} ({percent(report.udp.pressure)})
          </span>
        </dd>
        <dt className="mono">tcp_tw_reuse</dt>
        <dd>
          {s.tcpTwReuse} <span className="muted">({REUSE[s.tcpTwReuse]})</span>
        </dd>
        <dt className="mono">tcp_tw_reuse_delay</dt>
        <dd>
          {s.tcpTwReuseDelayMs === null ? (
            <span className="muted">1000 ms (fixed on this kernel)</span>
          ) : (
            `${count(s.tcpTwReuseDelayMs)} ms`
          )}
        </dd>
        <dt className="mono">tcp_timestamps</dt>
        <dd>
          {s.tcpTimestamps} <span className="muted">({TIMESTAMPS[s.tcpTimestamps]})</span>
        </dd>
        <dt className="mono">tcp_fin_timeout</dt>
        <dd>
          {s.tcpFinTimeout} s <span className="muted">(orphaned FIN_WAIT2 only)</span>
        </dd>
        <dt className="mono">tcp_max_tw_buckets</dt>
        <dd>{count(s.tcpMaxTwBuckets)}</dd>
        <dt>Socket table from</dt>
        <dd>{report.source === 'netlink' ? 'ss (netlink)' : '/proc/net'}</dd>
      </dl>
    </section>
  );
}
