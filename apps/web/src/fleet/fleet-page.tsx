import { visibleText } from '@portpressure/protocol';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useFleet } from '../fleet-store.ts';
import { count } from '../format.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { allLabels, FIRST_DIR, filterRows, isOffline, sortRows, toRow, type SortDir, type SortKey } from './fleet-rows.ts';
import { FleetTable } from './fleet-table.tsx';
import { InstallPanel, useInstallInfo } from '../install/add-hosts-page.tsx';
import { FilterBox } from '../ui/filter-box.tsx';

const SORT_KEYS: SortKey[] = ['host', 'pressure', 'tuple', 'held', 'timeWait', 'forecast', 'trend', 'lastSeen'];
/** "Last seen" and "offline" move with the clock, not only with data. */
const TICK_MS = 5_000;

export function FleetPage() {
  const fleet = useFleet();
  const { search } = useLocation();
  const text = search.get('q') ?? '';
  const label = search.get('label') ?? '';
  const sortParam = search.get('sort') as SortKey | null;
  const sortKey: SortKey = sortParam && SORT_KEYS.includes(sortParam) ? sortParam : 'pressure';
  const sortDir: SortDir =
    search.get('dir') === 'asc' || search.get('dir') === 'desc' ? (search.get('dir') as SortDir) : FIRST_DIR[sortKey];
  const [tick, setTick] = useState(() => Date.now());
  const filterBox = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const timer = setInterval(() => setTick(Date.now()), TICK_MS);
    // "/" jumps to the filter, as in most consoles
    const onKey = (e: KeyboardEvent) => {
      if (e.key === '/' && !(e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement)) {
        e.preventDefault();
        filterBox.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => {
      clearInterval(timer);
      window.removeEventListener('keydown', onKey);
    };
  }, []);

  const setParams = (changes: Record<string, string>) => {
    const next = new URLSearchParams(search);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    const q = next.toString();
    navigate(q ? `/?${q}` : '/', { replace: true });
  };

  const serverNow = tick + fleet.skewMs;
  const rows = useMemo(() => [...fleet.hosts.values()].map(toRow), [fleet.hosts]);
  const labels = useMemo(() => allLabels(fleet.hosts.values()), [fleet.hosts]);
  const shown = useMemo(() => sortRows(filterRows(rows, text, label), sortKey, sortDir), [rows, text, label, sortKey, sortDir]);
  const stats = useMemo(() => {
    let critical = 0;
    let warning = 0;
    let offline = 0;
    for (const r of rows) {
      if (isOffline(r, serverNow, fleet.offlineAfterMs)) offline++;
      const p = r.host.pressure ?? 0;
      if (p >= 0.9) critical++;
      else if (p >= 2 / 3) warning++;
    }
    return { critical, warning, offline };
  }, [rows, serverNow, fleet.offlineAfterMs]);

  if (fleet.status === 'loading') return <p className="muted page-pad">Loading the fleet…</p>;
  if (fleet.status === 'error') {
    return (
      <p className="error page-pad" role="alert">
        Could not load the fleet: {fleet.error}
      </p>
    );
  }
  if (fleet.hosts.size === 0) return <EmptyFleet />;

  return (
    <section className="fleet-page" aria-labelledby="fleet-title">
      <div className="toolbar">
        <h1 id="fleet-title">Fleet</h1>
        <span className="stats" aria-live="polite">
          <span>
            {count(rows.length)} host{rows.length === 1 ? '' : 's'}
          </span>
          <span className="stat critical">{count(stats.critical)} critical</span>
          <span className="stat warning">{count(stats.warning)} warning</span>
          <span className="stat offline">{count(stats.offline)} offline</span>
        </span>
        <span className="spacer" />
        <FilterBox
          id="fleet-filter"
          label="Filter hosts"
          ref={filterBox}
          placeholder="Filter: host, tuple, label…  ( / )"
          value={text}
          onChange={(q) => setParams({ q })}
        />
        <label className="visually-hidden" htmlFor="fleet-label">
          Label
        </label>
        <select id="fleet-label" value={label} onChange={(e) => setParams({ label: e.target.value })}>
          <option value="">All labels</option>
          {labels.map((l) => (
            <option key={l} value={l}>
              {visibleText(l)}
            </option>
          ))}
        </select>
        {(text || label) && (
          <span className="muted" data-testid="shown-count">
            {count(shown.length)} shown
          </span>
        )}
      </div>
      {shown.length === 0 ? (
        <p className="muted page-pad">No host matches this filter.</p>
      ) : (
        <FleetTable
          rows={shown}
          serverNow={serverNow}
          offlineAfterMs={fleet.offlineAfterMs}
          sortKey={sortKey}
          sortDir={sortDir}
          onSort={(key, dir) => setParams({ sort: key, dir })}
        />
      )}
    </section>
  );
}

function EmptyFleet() {
  const { info, error } = useInstallInfo();
  return (
    <section className="card empty" aria-labelledby="empty-title">
      <h1 id="empty-title">No hosts yet</h1>
      {error && <p role="alert">Could not load the install command: {error}</p>}
      {info && <InstallPanel info={info} />}
      <p className="muted">
        The command is also under <Link to="/add-hosts">Add hosts</Link>. No server? <code>portpressure-agent check</code> answers on the
        host itself.
      </p>
    </section>
  );
}
