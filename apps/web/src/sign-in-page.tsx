import { ADMIN_USERNAME, type SessionInfo } from '@portpressure/protocol';
import { useState, type FormEvent } from 'react';
import { ApiRequestError, signIn } from './api.ts';

export function SignInPage({ onSignedIn }: { onSignedIn: (session: SessionInfo) => void }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn(password));
    } catch (err) {
      setError(
        err instanceof ApiRequestError && err.code === 'INVALID_CREDENTIALS'
          ? 'Wrong password.'
          : err instanceof Error
            ? err.message
            : String(err),
      );
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <form className="card sign-in-card" onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">
          <span className="brand-mark" aria-hidden="true" /> Portpressure
        </h1>
        <p className="muted">Sign in as <b>{ADMIN_USERNAME}</b> to see the fleet.</p>
        <label htmlFor="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          autoFocus
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy || password === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="hint">
          The password is <code>PORTPRESSURE_ADMIN_PASSWORD</code>, or the one the API printed once in its log on first start
          (<code>admin password: …</code>).
        </p>
      </form>
    </main>
  );
}
