import { roleAtLeast, type SessionInfo } from '@portpressure/protocol';
import { useEffect, useState } from 'react';
import { fetchMe, onSignedOut, signOut, SignedOutError } from './api.ts';
import { preloadFleet, resetFleet } from './fleet-store.ts';
import { queryClient } from './query-client.ts';
import { startLive, stopLive, useLiveStatus } from './live.ts';
import { Link, matchPath, navigate, useLocation } from './router.tsx';
import { ROUTES } from './routes.tsx';
import { SessionContext } from './session-context.tsx';
import { SignInPage } from './sign-in-page.tsx';
import { setThemeChoice, useThemeChoice, type ThemeChoice } from './theme.ts';

type Auth = { status: 'checking' } | { status: 'signed-out' } | { status: 'signed-in'; session: SessionInfo };

const SIGN_IN_PATH = '/login';

/** Where to go after signing in: the `next` of /login, if it is a path of this app. */
function nextPath(search: URLSearchParams): string {
  const next = search.get('next');
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith(SIGN_IN_PATH) ? next : '/';
}

export function App() {
  const [auth, setAuth] = useState<Auth>({ status: 'checking' });
  const location = useLocation();

  // biome-ignore lint/correctness/useExhaustiveDependencies: once at start; later navigation does not re-check the session
  useEffect(() => {
    const abort = new AbortController();
    // the fleet page's data in parallel with the session check, not after it
    if (location.path === '/') preloadFleet();
    fetchMe(abort.signal).then(
      (session) => setAuth({ status: 'signed-in', session }),
      (e: unknown) => {
        if (abort.signal.aborted) return;
        // a network error is not a sign-out, but there is nothing to show without the API either
        setAuth({ status: 'signed-out' });
        if (!(e instanceof SignedOutError)) console.error(e);
      },
    );
    const off = onSignedOut(() => setAuth({ status: 'signed-out' }));
    return () => {
      abort.abort();
      off();
    };
    // once, at start: later navigation does not re-check the session
  }, []);

  useEffect(() => {
    if (auth.status === 'signed-in') {
      startLive();
      if (location.path === SIGN_IN_PATH) navigate(nextPath(location.search), { replace: true });
    } else if (auth.status === 'signed-out') {
      stopLive();
      resetFleet();
      // Nothing of the signed-out user's answers may show to whoever signs in next.
      queryClient.clear();
      if (location.path !== SIGN_IN_PATH) {
        const here = location.path + (location.search.size ? `?${location.search}` : '');
        navigate(`${SIGN_IN_PATH}${here === '/' ? '' : `?next=${encodeURIComponent(here)}`}`, { replace: true });
      }
    }
  }, [auth.status, location.path, location.search]);

  if (auth.status === 'checking') return <div className="splash" aria-busy="true" />;
  if (auth.status === 'signed-out' || location.path === SIGN_IN_PATH) {
    document.title = 'Sign in · Portpressure';
    return <SignInPage onSignedIn={(session) => setAuth({ status: 'signed-in', session })} />;
  }
  return <Shell session={auth.session} onSignOut={() => void signOut().then(() => setAuth({ status: 'signed-out' }))} />;
}

function Shell({ session, onSignOut }: { session: SessionInfo; onSignOut: () => void }) {
  const { path } = useLocation();
  const live = useLiveStatus();
  const matched = ROUTES.map((route) => ({ route, params: matchPath(route.path, path) })).find((m) => m.params !== null);
  const section = matched ? (matched.route.section ?? matched.route.path) : null;
  useEffect(() => {
    document.title = matched ? `${matched.route.title(matched.params ?? {})} · Portpressure` : 'Not found · Portpressure';
  }, [matched]);

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Portpressure
        </Link>
        <nav aria-label="Main">
          {ROUTES.filter((r) => r.nav && (r.minRole === undefined || roleAtLeast(session.role, r.minRole))).map((r) => (
            <Link key={r.path} to={r.path} className="nav-link" aria-current={section === r.path ? 'page' : undefined}>
              {r.nav}
            </Link>
          ))}
        </nav>
        <span className="spacer" />
        <span
          className={`live-status ${live ? 'on' : 'off'}`}
          role="status"
          title={live ? 'Receiving live updates' : 'Live updates paused; reconnecting'}
        >
          <span className="dot" aria-hidden="true" />
          {live ? 'Live' : 'Reconnecting…'}
        </span>
        <ThemeSwitch />
        <span
          className="user"
          data-testid="signed-in-user"
          title={`Session ends ${new Date(session.expiresAt).toLocaleString()} unless used`}
        >
          {session.username} <span className="muted">({session.role})</span>
        </span>
        <button type="button" className="ghost" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <SessionContext.Provider value={session}>
          {matched ? (
            matched.route.render(matched.params ?? {})
          ) : (
            <section className="card empty">
              <h2>Page not found</h2>
              <p>
                <Link to="/">Back to the fleet</Link>
              </p>
            </section>
          )}
        </SessionContext.Provider>
      </main>
    </div>
  );
}

const THEME_LABELS: Record<ThemeChoice, string> = { system: 'Auto', light: 'Light', dark: 'Dark' };

function ThemeSwitch() {
  const choice = useThemeChoice();
  const next: ThemeChoice = choice === 'system' ? 'light' : choice === 'light' ? 'dark' : 'system';
  return (
    <button
      type="button"
      className="ghost"
      onClick={() => setThemeChoice(next)}
      title={`Theme: ${THEME_LABELS[choice]} (click for ${THEME_LABELS[next]})`}
    >
      Theme: {THEME_LABELS[choice]}
    </button>
  );
}
