import { ADMIN_USERNAME, type AuthMethods, type SessionInfo } from '@portpressure/protocol';
import { useEffect, useState, type FormEvent } from 'react';
import { ApiRequestError, signIn } from './api.ts';
import { fetchAuthMethods } from './users/users-api.ts';

/** Why single sign-on sent the browser back without a session (the API's redirect carries it). */
function ssoErrorFromUrl(): string | null {
  return new URLSearchParams(window.location.search).get('ssoError');
}

export function SignInPage({ onSignedIn }: { onSignedIn: (session: SessionInfo) => void }) {
  const [username, setUsername] = useState(ADMIN_USERNAME);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(ssoErrorFromUrl);
  const [busy, setBusy] = useState(false);
  const [methods, setMethods] = useState<AuthMethods>({ password: true, sso: null });

  useEffect(() => {
    fetchAuthMethods().then(setMethods, () => undefined);
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn(username, password));
    } catch (err) {
      setError(
        err instanceof ApiRequestError && err.code === 'INVALID_CREDENTIALS'
          ? 'Wrong user name or password.'
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
        {methods.sso && (
          <a className="button primary" href="/api/auth/oidc/login">
            {methods.sso.label}
          </a>
        )}
        {methods.password && (
          <>
            <label htmlFor="username">User name</label>
            <input
              id="username"
              name="username"
              autoComplete="username"
              required
              value={username}
              onChange={(e) => setUsername(e.target.value)}
            />
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
          </>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {methods.password && (
          <>
            <button type="submit" className="primary" disabled={busy || password === ''}>
              {busy ? 'Signing in…' : 'Sign in'}
            </button>
            <p className="hint">
              The first account is <b>{ADMIN_USERNAME}</b>: its password is <code>PORTPRESSURE_ADMIN_PASSWORD</code>, or the one the API
              printed once in its log on first start (<code>admin password: …</code>). Admins create the other accounts.
            </p>
          </>
        )}
      </form>
    </main>
  );
}
