import type { PortReport } from '@portpressure/protocol';
import type { ReactNode } from 'react';
import { count, percent } from '../format.ts';

const REUSE: Record<number, string> = { 0: 'never', 1: 'always', 2: 'loopback only' };
const TIMESTAMPS: Record<number, string> = { 0: 'off', 1: 'on', 2: 'on, no random offset' };

/** One sysctl of the measured namespace: its name, its value and, in brackets, what that value means. */
function Sysctl({ name, value, note }: { name: string; value: ReactNode; note?: string }) {
  return (
    <>
      <dt className="mono">{name}</dt>
      <dd>
        {value}
        {note !== undefined && (
          <>
            {' '}
            <span className="muted">({note})</span>
          </>
        )}
      </dd>
    </>
  );
}

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
        <Sysctl name="tcp_tw_reuse" value={s.tcpTwReuse} note={REUSE[s.tcpTwReuse]} />
        <Sysctl
          name="tcp_tw_reuse_delay"
          value={
            s.tcpTwReuseDelayMs === null ? (
              <span className="muted">1000 ms (fixed on this kernel)</span>
            ) : (
              `${count(s.tcpTwReuseDelayMs)} ms`
            )
          }
        />
        <Sysctl name="tcp_timestamps" value={s.tcpTimestamps} note={TIMESTAMPS[s.tcpTimestamps]} />
        <Sysctl name="tcp_fin_timeout" value={`${s.tcpFinTimeout} s`} note="orphaned FIN_WAIT2 only" />
        <Sysctl name="tcp_max_tw_buckets" value={count(s.tcpMaxTwBuckets)} />
        <dt>Socket table from</dt>
        <dd>{report.source === 'netlink' ? 'ss (netlink)' : '/proc/net'}</dd>
      </dl>
    </section>
  );
}
