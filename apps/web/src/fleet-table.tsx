import type { HostSummary } from '@portpressure/protocol';
import { ago, percent, pressureLevel, tupleLabel } from './format.ts';

export function FleetTable({ hosts, now }: { hosts: HostSummary[]; now: number }) {
  return (
    <table className="fleet" aria-label="hosts ranked by port pressure">
      <thead>
        <tr>
          <th scope="col">Host</th>
          <th scope="col">Pressure</th>
          <th scope="col">Worst tuple</th>
          <th scope="col">Used / usable</th>
          <th scope="col">Last seen</th>
        </tr>
      </thead>
      <tbody>
        {hosts.map((h) => (
          <tr key={h.id} data-host-id={h.id} data-testid="host-row">
            <td>
              <span className="hostname">{h.hostname}</span>
              {h.offline && <span className="badge offline">offline</span>}
              <span className="labels">
                {Object.entries(h.labels).map(([k, v]) => (
                  <span key={k} className="label">
                    {k}={v}
                  </span>
                ))}
              </span>
            </td>
            <td>
              <div className={`bar ${pressureLevel(h.pressure)}`} role="meter" aria-valuemin={0} aria-valuemax={1} aria-valuenow={h.pressure ?? 0}>
                <div className="fill" style={{ width: `${Math.min(100, (h.pressure ?? 0) * 100)}%` }} />
              </div>
              <span className="pressure" data-testid="pressure">{percent(h.pressure)}</span>
            </td>
            <td className="mono">{tupleLabel(h)}</td>
            <td className="num">
              {h.worstTuple ? `${h.worstTuple.used - h.worstTuple.reclaimable} / ${h.usable ?? '—'}` : `0 / ${h.usable ?? '—'}`}
            </td>
            <td title={h.lastSeenAt ? new Date(h.lastSeenAt).toLocaleString() : ''}>{ago(h.lastSeenAt, now)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
