import type { EgressGroup, EgressUsage } from '@portpressure/protocol';
import { useState, type FormEvent } from 'react';
import { usePolled } from '../alerts/use-polled.ts';
import { count } from '../format.ts';
import { Link } from '../router.tsx';
import { useCan } from '../session-context.tsx';
import { LoadState } from '../ui/load-state.tsx';
import { PressureBar } from '../ui/pressure-bar.tsx';
import { useAction } from '../ui/use-action.ts';
import { clearEgressLimit, endpointOf, fetchDestinations, fetchEgress, setEgressLimit } from './destinations-api.ts';
import { ColumnHeads } from '../ui/column-heads.tsx';

/** Remote endpoints ranked by the pressure they put on their clients, and each egress group's budget. */
export function DestinationsPage() {
  return (
    <div className="destinations-page">
      <DestinationsTable />
      <EgressBudgets />
    </div>
  );
}

function DestinationsTable() {
  const { data, error } = usePolled(fetchDestinations, ['destinations', 'ranking'], 10_000);
  return (
    <section className="card">
      <h1>Destinations</h1>
      <p className="muted">
        Remote endpoints in the latest snapshot of every host, the most pressed client first: how many hosts connect to each, their
        connections summed, and the host whose tuple to it is fullest.
      </p>
      <LoadState error={error} loaded={data !== null} />
      {!data ? null : data.destinations.length === 0 ? (
        <p className="muted">No host has reported a connection yet.</p>
      ) : (
        <>
          <p className="muted" data-testid="destinations-count">
            {data.total > data.destinations.length ? `The first ${count(data.destinations.length)} of ` : ''}
            {count(data.total)} destination{data.total === 1 ? '' : 's'} from {count(data.hostsReporting)} host
            {data.hostsReporting === 1 ? '' : 's'}
          </p>
          <table className="destinations-table" data-testid="destinations-table">
            <ColumnHeads columns={['Destination', 'Hosts', 'Connections', 'TIME_WAIT', 'Worst host', 'Worst tuple']} />
            <tbody>
              {data.destinations.map((d) => {
                const endpoint = endpointOf(d.remoteAddress, d.remotePort);
                return (
                  <tr key={endpoint} data-testid="destination-row" data-endpoint={endpoint}>
                    <th scope="row">{endpoint}</th>
                    <td data-testid="destination-hosts">{count(d.hosts)}</td>
                    <td data-testid="destination-connections">{count(d.connections)}</td>
                    <td>{count(d.timeWait)}</td>
                    <td>
                      <Link to={`/hosts/${d.worst.hostId}`} data-testid="destination-worst-host">
                        {d.worst.hostname}
                      </Link>
                    </td>
                    <td>
                      <PressureBar value={d.worst.pressure} label={`pressure of ${d.worst.hostname} to ${endpoint}`} />{' '}
                      <span className="muted">
                        {count(d.worst.used)} from {d.worst.localAddress}
                      </span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function EgressBudgets() {
  const { data, error, reload } = usePolled(fetchEgress, ['destinations', 'egress'], 10_000);
  return (
    <section className="card">
      <h2>Egress budgets</h2>
      {data && (
        <p className="muted">
          Hosts behind one egress address (a NAT gateway) share its connections to each destination. Hosts are grouped by their{' '}
          <code>{data.label}</code> label; a destination without a limit of its own gets {count(data.defaultLimit)} connections.
        </p>
      )}
      <LoadState error={error} loaded={data !== null} />
      {!data ? null : data.groups.length === 0 ? (
        <p className="muted">
          No host carries the <code>{data.label}</code> label yet.
        </p>
      ) : (
        data.groups.map((g) => <EgressGroupCard key={g.name} group={g} onChanged={reload} />)
      )}
    </section>
  );
}

function EgressGroupCard({ group, onChanged }: { group: EgressGroup; onChanged: () => void }) {
  return (
    <div className="egress-group" data-testid="egress-group" data-group={group.name}>
      <h3>
        {group.name}{' '}
        <span className="muted">
          ({count(group.hosts.length)} host{group.hosts.length === 1 ? '' : 's'}: {group.hosts.map((h) => h.hostname).join(', ')})
        </span>
      </h3>
      <table className="destinations-table">
        <ColumnHeads columns={['Destination', 'Hosts', 'Connections', 'Of the limit', 'Limit']} />
        <tbody>
          {group.destinations.map((d) => (
            <EgressRow key={endpointOf(d.remoteAddress, d.remotePort)} usage={d} group={group.name} onChanged={onChanged} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function EgressRow({ usage, group, onChanged }: { usage: EgressUsage; group: string; onChanged: () => void }) {
  const canEdit = useCan('editor');
  const endpoint = endpointOf(usage.remoteAddress, usage.remotePort);
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(String(usage.limit));
  const action = useAction();
  const { busy, error } = action;

  const run = async (change: () => Promise<unknown>) => {
    if (!(await action.run(change))) return;
    setEditing(false);
    onChanged();
  };
  const save = (e: FormEvent) => {
    e.preventDefault();
    void run(() => setEgressLimit(endpoint, Number(value)));
  };

  return (
    <tr data-testid="egress-row" data-endpoint={endpoint}>
      <th scope="row">{endpoint}</th>
      <td>{count(usage.hosts)}</td>
      <td data-testid="egress-connections">
        {count(usage.connections)} / {count(usage.limit)}
      </td>
      <td>
        <PressureBar value={usage.share} label={`${group} to ${endpoint}, share of the limit`} />
      </td>
      <td>
        {editing ? (
          <form className="egress-limit-form" onSubmit={save}>
            <input
              type="number"
              min={1}
              step={1}
              aria-label={`Limit of ${endpoint}`}
              value={value}
              onChange={(e) => setValue(e.target.value)}
              disabled={busy}
              required
            />
            <button type="submit" disabled={busy}>
              Save
            </button>
            <button type="button" onClick={() => setEditing(false)} disabled={busy}>
              Cancel
            </button>
          </form>
        ) : (
          <>
            <span data-testid="egress-limit">{count(usage.limit)}</span>
            {usage.defaultLimit ? <span className="muted"> (default)</span> : null}
            {canEdit && (
              <>
                {' '}
                <button
                  type="button"
                  onClick={() => {
                    setValue(String(usage.limit));
                    setEditing(true);
                  }}
                >
                  Edit limit
                </button>
                {!usage.defaultLimit && (
                  <button type="button" onClick={() => void run(() => clearEgressLimit(endpoint))} disabled={busy}>
                    Use default
                  </button>
                )}
              </>
            )}
          </>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </td>
    </tr>
  );
}
