import type { ApiToken, ApiTokenScope } from '@portpressure/protocol';
import { useState, type FormEvent } from 'react';
import { confirmThen, Notice, type NoticeState } from '../alerts/alerts-nav.tsx';
import { errorText, usePolled } from '../alerts/use-polled.ts';
import { createToken, fetchTokens, revokeToken } from './tokens-api.ts';
import { DataTable } from '../ui/data-table.tsx';

const EXPIRY_CHOICES: { label: string; days: number | null }[] = [
  { label: '30 days', days: 30 },
  { label: '90 days', days: 90 },
  { label: '1 year', days: 365 },
  { label: 'never', days: null },
];

const when = (iso: string | null, none: string) => (iso === null ? none : new Date(iso).toLocaleString());

function state(t: ApiToken): { text: string; className: string } {
  if (t.revokedAt !== null) return { text: 'revoked', className: 'badge muted-badge' };
  if (!t.active) return { text: 'expired', className: 'badge muted-badge' };
  return { text: 'active', className: 'badge status-delivered' };
}

/** API tokens for scripts and Prometheus: created here (shown once), listed, revoked. */
export function TokensPage() {
  const tokens = usePolled((signal) => fetchTokens(signal), ['tokens'], 60_000);
  const [name, setName] = useState('');
  const [scope, setScope] = useState<ApiTokenScope>('read');
  const [expiry, setExpiry] = useState('90 days');
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [notice, setNotice] = useState<NoticeState>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const days = EXPIRY_CHOICES.find((c) => c.label === expiry)?.days ?? 90;
      const result = await createToken({ name, scope, expiresInDays: days });
      setCreated({ name: result.apiToken.name, token: result.token });
      setNotice(null);
      setName('');
      tokens.reload();
    } catch (error) {
      setNotice({ text: errorText(error), kind: 'error' });
    } finally {
      setBusy(false);
    }
  };

  const revoke = (t: ApiToken) =>
    confirmThen(
      `Revoke ${t.name}? Scripts using it stop working at once.`,
      () => revokeToken(t.id),
      `Revoked ${t.name}`,
      setNotice,
      tokens.reload,
    );

  return (
    <div className="alerts-page">
      <div className="toolbar">
        <h1>API tokens</h1>
      </div>
      <p className="muted">
        For scripts and Prometheus: send <code>Authorization: Bearer ppt_…</code>. A read-only token may only read (and scrape{' '}
        <code>/metrics</code>); a read-write token may change everything you can.
      </p>
      <form className="alert-form" onSubmit={(e) => void submit(e)} aria-label="New API token">
        <label htmlFor="token-name">Name</label>
        <input id="token-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} placeholder="prometheus" />
        <label htmlFor="token-scope">Scope</label>
        <select id="token-scope" value={scope} onChange={(e) => setScope(e.target.value === 'write' ? 'write' : 'read')}>
          <option value="read">read-only</option>
          <option value="write">read-write</option>
        </select>
        <label htmlFor="token-expiry">Expires after</label>
        <select id="token-expiry" value={expiry} onChange={(e) => setExpiry(e.target.value)}>
          {EXPIRY_CHOICES.map((c) => (
            <option key={c.label} value={c.label}>
              {c.label}
            </option>
          ))}
        </select>
        <div className="buttons">
          <button type="submit" className="primary" disabled={busy}>
            Create token
          </button>
        </div>
      </form>
      {created !== null && (
        <div className="notice" role="status" data-testid="new-token">
          <p>
            Token <strong>{created.name}</strong> created. Copy it now: it is not shown again.
          </p>
          <p>
            <code className="mono" data-testid="new-token-value">
              {created.token}
            </code>{' '}
            <button type="button" onClick={() => void navigator.clipboard?.writeText(created.token)}>
              Copy
            </button>{' '}
            <button type="button" className="ghost" onClick={() => setCreated(null)}>
              Done
            </button>
          </p>
        </div>
      )}
      <Notice text={notice?.text ?? null} kind={notice?.kind ?? 'ok'} />
      <Notice text={tokens.error} kind="error" />
      <DataTable
        testId="tokens"
        columns={['Name', 'Scope', 'Created', 'Expires', 'Last used', 'State']}
        actions
        rows={tokens.data}
        empty={<p className="muted">No API tokens yet.</p>}
        row={(t) => {
          const s = state(t);
          return (
            <tr key={t.id} data-testid="token-row">
              <td>{t.name}</td>
              <td>{t.scope === 'write' ? 'read-write' : 'read-only'}</td>
              <td>
                {when(t.createdAt, '')} by {t.createdBy}
              </td>
              <td>{when(t.expiresAt, 'never')}</td>
              <td>{when(t.lastUsedAt, 'never')}</td>
              <td>
                <span className={s.className}>{s.text}</span>
              </td>
              <td className="actions">
                {t.revokedAt === null && (
                  <button type="button" className="ghost" onClick={() => void revoke(t)}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          );
        }}
      />
    </div>
  );
}
