import type { HostSummary } from '@portpressure/protocol';
import { useEffect, useState } from 'react';
import { fetchHosts, subscribeLive } from './api.ts';
import { FleetTable } from './fleet-table.tsx';

function rank(hosts: HostSummary[]): HostSummary[] {
  return [...hosts].sort((a, b) => (b.pressure ?? -1) - (a.pressure ?? -1) || a.hostname.localeCompare(b.hostname));
}

export function App() {
  const [hosts, setHosts] = useState<HostSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState(false);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    const abort = new AbortController();
    fetchHosts(abort.signal).then(
      (list) => setHosts(rank(list)),
      (e: unknown) => !abort.signal.aborted && setError(e instanceof Error ? e.message : String(e)),
    );
    const unsubscribe = subscribeLive(
      (message) => {
        if (message.type !== 'host') return;
        setHosts((current) => rank([...(current ?? []).filter((h) => h.id !== message.host.id), message.host]));
      },
      (connected) => {
        setLive(connected);
        // after a reconnect, reload the list so nothing missed while offline stays stale
        if (connected) fetchHosts().then((list) => setHosts(rank(list)), () => undefined);
      },
    );
    const tick = setInterval(() => setNow(Date.now()), 5000);
    return () => {
      abort.abort();
      unsubscribe();
      clearInterval(tick);
    };
  }, []);

  return (
    <div className="app">
      <header className="topbar">
        <h1>Portpressure</h1>
        <span className={`live ${live ? 'on' : 'off'}`} title="live updates">
          {live ? 'live' : 'reconnecting…'}
        </span>
      </header>
      <main>
        {error && <p className="error" role="alert">Could not load hosts: {error}</p>}
        {hosts === null && !error && <p className="muted">Loading…</p>}
        {hosts && hosts.length === 0 && (
          <section className="empty">
            <h2>No hosts yet</h2>
            <p>Start an agent on a host to see it here:</p>
            <pre>npx portpressure-agent run --server {location.origin}</pre>
          </section>
        )}
        {hosts && hosts.length > 0 && <FleetTable hosts={hosts} now={now} />}
      </main>
    </div>
  );
}
