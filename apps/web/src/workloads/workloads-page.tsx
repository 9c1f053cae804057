import { isOffline, visibleText } from '@portpressure/protocol';
import { useEffect, useState } from 'react';
import { usePolled } from '../alerts/use-polled.ts';
import { ago, count, formatDateTime, tupleLabel } from '../format.ts';
import { hostHref } from '../host/host-href.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { PressureBar } from '../ui/pressure-bar.tsx';
import { containersText, filterWorkloads } from './workload-rows.ts';
import { fetchWorkloads } from './workloads-api.ts';
import { ColumnHeads } from '../ui/column-heads.tsx';
import { FilterBox } from '../ui/filter-box.tsx';

/** Rows asked for: the worst of the fleet; `total` says how many there are in all. */
const LIMIT = 1000;
/** Workloads change with every snapshot of their hosts; the page follows at this pace. */
const POLL_MS = 10_000;

/**
 * Pods, containers and named namespaces across the fleet, ranked by pressure: a pod can run out
 * of ports while its node's own namespace looks idle. Each row opens its host's page with that
 * namespace picked.
 */
export function WorkloadsPage() {
  const { search } = useLocation();
  const text = search.get('q') ?? '';
  const workloads = usePolled((signal) => fetchWorkloads(LIMIT, signal), ['workloads', LIMIT], POLL_MS);
  const [tick, setTick] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setTick(Date.now()), 5_000);
    return () => clearInterval(timer);
  }, []);

  const data = workloads.data;
  const shown = data ? filterWorkloads(data.workloads, text) : [];
  const serverNow = data ? tick + (Date.parse(data.serverTime) - Date.now()) : tick;

  return (
    <section className="workloads-page" aria-labelledby="workloads-title">
      <div className="toolbar">
        <h1 id="workloads-title">Workloads</h1>
        {data && (
          <span className="stats" data-testid="workloads-total">
            {data.total > data.workloads.length
              ? `the worst ${count(data.workloads.length)} of ${count(data.total)} pods, containers and namespaces`
              : `${count(data.total)} pods, containers and namespaces`}
          </span>
        )}
        <span className="spacer" />
        <FilterBox
          id="workloads-filter"
          label="Filter workloads"
          placeholder="Filter: pod, container, host…"
          value={text}
          onChange={(q) => navigate(q ? `/workloads?q=${encodeURIComponent(q)}` : '/workloads', { replace: true })}
        />
      </div>
      {workloads.error && (
        <p className="error" role="alert">
          Could not load the workloads: {workloads.error}
        </p>
      )}
      {!data && !workloads.error && <p className="muted">Loading the workloads…</p>}
      {data && data.workloads.length === 0 && (
        <p className="muted" data-testid="workloads-empty">
          No host reports other network namespaces than its own. An agent run as root on the host (or with the capabilities in the docs)
          reports every container's and pod's namespace.
        </p>
      )}
      {data && data.workloads.length > 0 && shown.length === 0 && <p className="muted">No workload matches this filter.</p>}
      {shown.length > 0 && data && (
        <div className="table-wrap card">
          <table className="tuples workloads-table" aria-label="Workloads ranked by port pressure" data-testid="workloads-table">
            <ColumnHeads
              columns={[
                'Workload',
                'Host',
                'Pressure',
                'Worst tuple',
                {
                  label: 'Held / usable',
                  numeric: true,
                  title: 'ports held by the worst tuple (used \u2212 reclaimable) of the usable ports',
                },
                { label: 'Tuples', numeric: true },
                'Last seen',
              ]}
            />
            <tbody>
              {shown.map((w) => {
                const offline = isOffline(
                  w.lastSeenAt === null ? null : Date.parse(w.lastSeenAt),
                  serverNow,
                  data.offlineAfterSeconds * 1000,
                );
                const containers = containersText(w);
                return (
                  <tr key={`${w.hostId} ${w.id}`} data-testid="workload-row" data-host-id={w.hostId} data-namespace-id={w.id}>
                    <td>
                      <Link to={hostHref(w.hostId, { ns: w.id })} className="hostname" data-testid="workload-link">
                        {visibleText(w.label)}
                      </Link>
                      {containers && w.pod && <span className="muted small"> · {visibleText(containers)}</span>}
                    </td>
                    <td>
                      <Link to={`/hosts/${encodeURIComponent(w.hostId)}`}>{visibleText(w.hostname)}</Link>
                      {offline && <span className="badge offline">offline</span>}
                    </td>
                    <td>
                      <PressureBar value={w.pressure} label={`pressure of ${w.label}`} />
                    </td>
                    <td className="mono">{tupleLabel(w.worst)}</td>
                    <td className="num">
                      {w.worst ? (
                        <>
                          {count(w.worst.used - w.worst.reclaimable)} <span className="muted">/ {count(w.usable)}</span>
                        </>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td className="num">{count(w.tupleCount)}</td>
                    <td
                      className={offline ? 'stale' : undefined}
                      title={w.lastSeenAt ? formatDateTime(Date.parse(w.lastSeenAt)) : undefined}
                    >
                      {ago(w.lastSeenAt, serverNow)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
