import type { AlertDelivery, DeliveryStatus } from '@portpressure/protocol';
import { formatDateTime } from '../format.ts';
import { useLocation } from '../router.tsx';
import { fetchDeliveries } from './alerts-api.ts';
import { AlertsNav, Notice, StatusFilter } from './alerts-nav.tsx';
import { usePolled } from './use-polled.ts';
import { DataTable } from '../ui/data-table.tsx';

const FILTERS: { value: DeliveryStatus | 'all'; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'pending', label: 'Pending' },
  { value: 'delivered', label: 'Delivered' },
  { value: 'failed', label: 'Failed' },
];

function Attempts({ d }: { d: AlertDelivery }) {
  if (d.attemptLog.length === 0) return <span className="sub">not tried yet</span>;
  return (
    <ol className="attempts" data-testid="attempts">
      {d.attemptLog.map((a) => (
        <li key={a.attempt} className={a.outcome}>
          {formatDateTime(Date.parse(a.startedAt))}: {a.outcome}
          {a.httpStatus !== null && ` (HTTP ${a.httpStatus})`} in {a.durationMs} ms
          {a.error && ` · ${a.error}`}
          {a.retryAfterMs !== null && ` · Retry-After ${Math.round(a.retryAfterMs / 1000)} s`}
          {a.nextAttemptAt && ` · next try ${formatDateTime(Date.parse(a.nextAttemptAt))}`}
        </li>
      ))}
    </ol>
  );
}

/** Every notification per channel, newest first, with each HTTP attempt: the answer to "did it go out?". */
export function DeliveriesPage() {
  const { search } = useLocation();
  const param = search.get('status');
  const filter = FILTERS.find((f) => f.value === param)?.value ?? 'all';
  const deliveries = usePolled((signal) => fetchDeliveries(filter, signal), ['alerts', 'deliveries', filter]);

  return (
    <div className="alerts-page">
      <AlertsNav />
      <div className="toolbar">
        <h1>Delivery log</h1>
        <StatusFilter filters={FILTERS} value={filter} path="/alerts/deliveries" />
      </div>
      <Notice text={deliveries.error} kind="error" />
      {deliveries.data === null && deliveries.error === null && <p className="muted">Loading the delivery log…</p>}
      <DataTable
        testId="deliveries"
        columns={['Queued', 'Message', 'Channel', 'Status', 'Attempts']}
        rows={deliveries.data}
        empty={<p className="muted">Nothing sent yet.</p>}
        row={(d) => (
          <tr key={d.id} data-testid="delivery-row">
            <td>{formatDateTime(Date.parse(d.createdAt))}</td>
            <td>
              {d.title}
              <div className="sub">{d.kind}</div>
            </td>
            <td>
              {d.channel.name}
              <div className="sub">{d.channel.type}</div>
            </td>
            <td>
              <span className={`badge status-${d.status}`} data-testid="delivery-status">
                {d.status}
              </span>
              {d.status === 'pending' && d.nextAttemptAt && (
                <div className="sub">next try {formatDateTime(Date.parse(d.nextAttemptAt))}</div>
              )}
            </td>
            <td>
              <Attempts d={d} />
            </td>
          </tr>
        )}
      />
    </div>
  );
}
