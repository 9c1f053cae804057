import type { AdviceItem, PortReport } from '@portpressure/protocol';
import { count, describeWorst } from './host-text.ts';

/**
 * Advice comes from the API (the same rules as `portpressure-agent check`); the blind spots are
 * what no socket table can show (docs/domain.md, rules 3 and 9), stated rather than guessed at.
 */
export function AdvicePanel({ advice, report }: { advice: AdviceItem[]; report: PortReport | null }) {
  return (
    <section className="card panel" aria-labelledby="advice-title">
      <h2 id="advice-title">Advice</h2>
      {advice.length === 0 ? (
        <p className="muted" data-testid="no-advice">
          Nothing stands out{report ? `: ${describeWorst(report)}` : '.'}
        </p>
      ) : (
        <ul className="advice" data-testid="advice">
          {advice.map((a) => (
            <li key={a.code}>
              <span className={`advice-code ${a.code}`}>{a.code.replaceAll('_', ' ').toLowerCase()}</span>
              {a.message}
            </li>
          ))}
        </ul>
      )}
      <details className="blind-spots">
        <summary>What this cannot see</summary>
        <ul>
          <li>
            <b>bind() before connect():</b> a socket bound to an address with port 0 before connecting takes its port from every tuple, but
            looks like any other connection in the socket table
            {report && report.hostPortsInUse > 0 ? ` (${count(report.hostPortsInUse)} ports in use host-wide is the upper bound)` : ''}.
          </li>
          <li>
            <b>Per-socket ranges</b> (<code>IP_LOCAL_PORT_RANGE</code>, Linux 6.3+) can only narrow the range for one socket, and are
            invisible.
          </li>
          <li>
            <b>Other network namespaces:</b> containers have their own range and sockets; run an agent inside them to watch them.
          </li>
          <li>
            <b>NAT:</b> on hosts that masquerade (container bridges), conntrack rewrites source ports from a separate pool, and exhaustion
            drops packets without an error.
          </li>
        </ul>
      </details>
    </section>
  );
}
