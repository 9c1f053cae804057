import { roleSchema, type Role, type User } from '@portpressure/protocol';
import { useState, type FormEvent } from 'react';
import { useSession } from '../session-context.tsx';
import { usePolled } from '../alerts/use-polled.ts';
import { changeRole, createUser, deleteUser, endSessions, fetchUsers, resetPassword } from './users-api.ts';
import { DataTable } from '../ui/data-table.tsx';

const ROLES = roleSchema.options;

/** Users and their roles (admins only; the API refuses everyone else). */
export function UsersPage() {
  const users = usePolled((signal) => fetchUsers(signal), ['users'], 30_000);
  const me = useSession();
  const [notice, setNotice] = useState<{ text: string; error: boolean } | null>(null);
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [password, setPassword] = useState('');

  const act = async (work: Promise<unknown>, done: string) => {
    try {
      await work;
      setNotice({ text: done, error: false });
    } catch (e) {
      setNotice({ text: e instanceof Error ? e.message : String(e), error: true });
    }
    users.reload();
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void act(createUser(username, role, password), `Created ${username}`).then(() => {
      setUsername('');
      setPassword('');
    });
  };

  const reset = (u: User) => {
    const next = window.prompt(`New password for ${u.username} (at least 8 characters). Their sessions end.`);
    if (next) void act(resetPassword(u.id, next), `Password of ${u.username} reset; their sessions ended`);
  };

  return (
    <div className="alerts-page">
      <div className="toolbar">
        <h1>Users</h1>
      </div>
      {users.error && (
        <p className="error" role="alert">
          {users.error}
        </p>
      )}
      {notice && (
        <p className={notice.error ? 'error' : 'notice'} role={notice.error ? 'alert' : 'status'}>
          {notice.text}
        </p>
      )}
      <form className="card inline-form" onSubmit={submit} aria-label="New user">
        <label>
          User name <input value={username} onChange={(e) => setUsername(e.target.value)} required />
        </label>
        <label>
          Role{' '}
          <select value={role} onChange={(e) => setRole(roleSchema.parse(e.target.value))}>
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <label>
          Initial password{' '}
          <input
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            minLength={8}
            required
            autoComplete="new-password"
          />
        </label>
        <button type="submit" className="primary">
          Create user
        </button>
      </form>
      <DataTable
        columns={['User', 'Role', 'Sign-in', 'Sessions']}
        actions
        rows={users.data ?? []}
        row={(u) => (
          <tr key={u.id} data-testid="user-row">
            <td>
              {u.username}
              {me?.userId === u.id ? ' (you)' : ''}
            </td>
            <td>
              <select
                aria-label={`Role of ${u.username}`}
                value={u.role}
                onChange={(e) => void act(changeRole(u.id, roleSchema.parse(e.target.value)), `${u.username} is now ${e.target.value}`)}
              >
                {ROLES.map((r) => (
                  <option key={r}>{r}</option>
                ))}
              </select>
            </td>
            <td>{[u.hasPassword ? 'password' : null, u.sso ? 'single sign-on' : null].filter(Boolean).join(', ')}</td>
            <td>{u.sessions}</td>
            <td className="actions">
              <button type="button" onClick={() => reset(u)}>
                Reset password
              </button>
              <button
                type="button"
                onClick={() => void act(endSessions(u.id), `Sessions of ${u.username} ended`)}
                disabled={u.sessions === 0}
              >
                End sessions
              </button>
              <button
                type="button"
                className="ghost"
                onClick={() => window.confirm(`Delete ${u.username}?`) && void act(deleteUser(u.id), `Deleted ${u.username}`)}
              >
                Delete
              </button>
            </td>
          </tr>
        )}
      />
    </div>
  );
}
