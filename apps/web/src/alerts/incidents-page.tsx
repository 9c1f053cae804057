import { visibleText, type AlertIncident, type IncidentFilter } from '@portpressure/protocol';
import { useState } from 'react';
import { count, duration, formatDateTime, percent, tupleLabel } from '../format.ts';
import { Link, useLocation } from '../router.tsx';
import { acknowledgeIncident, fetchIncidents, silenceIncident, unsilenceIncident } from './alerts-api.ts';
import { AlertsNav, Notice, SeverityBadge, StatusFilter } from './alerts-nav.tsx';
import { errorText, usePolled } from './use-polled.ts';
import { RequireRole } from '../session-context.tsx';
import { DataTable } from '../ui/data-table.tsx';

const FILTERS: { value: IncidentFilter; label: string }[] = [
  { value: 'firing', label: 'Firing' },
  { value: 'acknowledged', label: 'Acknowledged' },
  { value: 'resolved', label: 'Resolved' },
  { value: 'all', label: 'All' },
];

const SILENCES = [
  { seconds: 3600, label: '1 h' },
  { seconds: 4 * 3600, label: '4 h' },
  { seconds: 24 * 3600, label: '24 h' },
];

/** What the incident measured: pressure and ports for tuples, the forecast, or last contact. */
function figures(i: AlertIncident, now: number): string {
  const m = i.latest;
  const parts: string[] = [];
  if (m.pressure !== undefined) parts.push(percent(m.pressure));
  if (m.used !== undefined && m.usable !== undefined) parts.push(`${count(m.used)} of ${count(m.usable)} ports`);
  if (m.timeWaitShare !== undefined && m.timeWaitShare > 0) parts.push(`${percent(m.timeWaitShare)} TIME_WAIT`);
  if (m.exhaustsAt) {
    const left = Date.parse(m.exhaustsAt) - now;
    parts.push(left > 0 ? `runs out in ${duration(left)}` : 'exhausted');
  }
  // Egress budgets: a group's connections to one destination against its limit.
  if (m.connections !== undefined && m.limit !== undefined) parts.push(`${count(m.connections)} of ${count(m.limit)} connections`);
  // Only rules about contact with the host (offline) measure lastSeenAt.
  if (m.lastSeenAt !== undefined) parts.push(m.lastSeenAt ? `last seen ${formatDateTime(Date.parse(m.lastSeenAt))}` : 'never reported');
  return parts.join(' · ');
}

function Status({ i, now }: { i: AlertIncident; now: number }) {
  const silenced = i.silencedUntil !== null && Date.parse(i.silencedUntil) > now;
  return (
    <>
      <span className={`badge status-${i.status}`}>{i.status}</span>
      {i.acknowledgedAt && (
        <span className="badge muted-badge" title={`by ${i.acknowledgedBy ?? 'someone'}`}>
          acknowledged
        </span>
      )}
      {silenced && <span className="badge muted-badge">silenced until {formatDateTime(Date.parse(i.silencedUntil ?? ''))}</span>}
    </>
  );
}

export function IncidentsPage() {
  const { search } = useLocation();
  const filterParam = search.get('status') as IncidentFilter | null;
  const filter: IncidentFilter = FILTERS.some((f) => f.value === filterParam) ? (filterParam as IncidentFilter) : 'firing';
  const incidents = usePolled((signal) => fetchIncidents(filter, signal), ['alerts', 'incidents', filter]);
  const [notice, setNotice] = useState<{ text: string; kind: 'ok' | 'error' } | null>(null);
  const now = Date.now();

  const act = (work: Promise<AlertIncident>, done: string) => {
    work.then(
      () => {
        setNotice({ text: done, kind: 'ok' });
        incidents.reload();
      },
      (e: unknown) => setNotice({ text: errorText(e), kind: 'error' }),
    );
  };

  return (
    <div className="alerts-page">
      <AlertsNav />
      <div className="toolbar">
        <h1>Incidents</h1>
        <StatusFilter filters={FILTERS} value={filter} path="/alerts" />
      </div>
      <Notice text={notice?.text ?? null} kind={notice?.kind ?? 'ok'} />
      <Notice text={incidents.error} kind="error" />
      {incidents.data === null && incidents.error === null && <p className="muted">Loading incidents…</p>}
      <DataTable
        testId="incidents"
        columns={['Severity', 'Rule', 'Host, namespace and tuple', 'What it saw', 'Since', 'Status']}
        actions
        rows={incidents.data}
        empty={<p className="muted">No {filter === 'all' ? '' : `${filter} `}incidents.</p>}
        row={(i) => {
          const end = i.resolvedAt === null ? now : Date.parse(i.resolvedAt);
          return (
            <tr key={i.id} data-testid="incident-row">
              <td>
                <SeverityBadge severity={i.severity} />
              </td>
              <td>
                {i.ruleName}
                <div className="sub">{i.ruleKind}</div>
              </td>
              <td>
                <Link to={`/hosts/${i.host.id}`}>{visibleText(i.host.hostname)}</Link>
                {i.namespace && (
                  <div className="sub">
                    <Link to={`/hosts/${i.host.id}?inode=${i.namespace.inode}`} data-testid="incident-namespace">
                      {visibleText(i.namespace.label)}
                    </Link>
                  </div>
                )}
                {i.tuple && <div className="sub mono">{tupleLabel(i.tuple)}</div>}
                {i.latest.egressGroup !== undefined && (
                  <div className="sub mono">
                    egress group {visibleText(i.latest.egressGroup)} → {i.latest.destination}
                  </div>
                )}
              </td>
              <td>{figures(i, now)}</td>
              <td>
                {formatDateTime(Date.parse(i.startedAt))}
                <div className="sub">
                  {i.resolvedAt === null
                    ? `firing for ${duration(end - Date.parse(i.startedAt))}`
                    : `lasted ${duration(end - Date.parse(i.startedAt))}`}
                </div>
              </td>
              <td>
                <Status i={i} now={now} />
              </td>
              <td className="actions">
                <RequireRole role="editor">
                  {i.status === 'firing' && i.acknowledgedAt === null && (
                    <button
                      type="button"
                      onClick={() => act(acknowledgeIncident(i.id), `Acknowledged ${i.ruleName} on ${i.host.hostname}`)}
                    >
                      Acknowledge
                    </button>
                  )}
                  {i.status === 'firing' &&
                    (i.silencedUntil !== null && Date.parse(i.silencedUntil) > now ? (
                      <button type="button" onClick={() => act(unsilenceIncident(i.id), 'Silence lifted')}>
                        Unsilence
                      </button>
                    ) : (
                      <select
                        aria-label={`Silence ${i.ruleName} on ${i.host.hostname}`}
                        value=""
                        onChange={(e) => {
                          const seconds = Number(e.target.value);
                          if (seconds > 0) act(silenceIncident(i.id, seconds), `Silenced for ${duration(seconds * 1000)}`);
                        }}
                      >
                        <option value="">Silence…</option>
                        {SILENCES.map((s) => (
                          <option key={s.seconds} value={s.seconds}>
                            for {s.label}
                          </option>
                        ))}
                      </select>
                    ))}
                </RequireRole>
              </td>
            </tr>
          );
        }}
      />
    </div>
  );
}
