import type { AuditEvent } from '@portpressure/protocol';
import { useState } from 'react';
import { usePolled } from '../alerts/use-polled.ts';
import { formatDateTime } from '../format.ts';
import { fetchAudit } from '../users/users-api.ts';
import { DataTable } from '../ui/data-table.tsx';

function describe(value: unknown): string {
  if (value === null || value === undefined) return '—';
  return JSON.stringify(value, null, 1);
}

function name(e: AuditEvent): string {
  for (const v of [e.after, e.before]) {
    if (typeof v === 'object' && v !== null) {
      const o = v as Record<string, unknown>;
      for (const key of ['name', 'username', 'ruleName', 'hostname']) if (typeof o[key] === 'string') return o[key];
    }
  }
  return e.entityId ?? '';
}

/** Who changed what: rules, channels, users, host credentials, incidents. */
export function AuditPage() {
  const [type, setType] = useState('');
  const query = `limit=200${type ? `&entityType=${type}` : ''}`;
  const events = usePolled((signal) => fetchAudit(query, signal), ['audit', query], 15_000);
  return (
    <div className="alerts-page">
      <div className="toolbar">
        <h1>Audit log</h1>
        <select aria-label="Object type" value={type} onChange={(e) => setType(e.target.value)}>
          <option value="">Everything</option>
          {['rule', 'channel', 'user', 'host', 'incident', 'egress-limit'].map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </div>
      {events.error && (
        <p className="error" role="alert">
          {events.error}
        </p>
      )}
      <DataTable
        columns={['When', 'Who', 'What', 'Object', 'Change']}
        rows={events.data?.events ?? []}
        row={(e) => (
          <tr key={e.id} data-testid="audit-row">
            <td>{formatDateTime(Date.parse(e.at))}</td>
            <td>{e.actor}</td>
            <td>
              {e.action} {e.entityType}
            </td>
            <td>{name(e)}</td>
            <td>
              <details>
                <summary>before / after</summary>
                <pre className="mono">{describe(e.before)}</pre>
                <pre className="mono">{describe(e.after)}</pre>
              </details>
            </td>
          </tr>
        )}
      />
    </div>
  );
}
