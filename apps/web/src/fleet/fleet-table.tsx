import { visibleText } from '@portpressure/protocol';
import { memo, useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { OutdatedAgentBadge } from '../install/outdated-agent-badge.tsx';
import { ago, count, duration, formatDateTime, percent } from '../format.ts';
import { hostHref } from '../host/host-href.ts';
import { Link, navigate } from '../router.tsx';
import { PressureBar } from '../ui/pressure-bar.tsx';
import { Sparkline } from '../ui/sparkline.tsx';
import { exhaustsIn, FIRST_DIR, FORECAST_HORIZON_MS, isOffline, type FleetRow, type SortDir, type SortKey } from './fleet-rows.ts';

/** Fixed row height: the window maths below depends on it (styles.css sets --row to match). */
const ROW_HEIGHT = 34;
/** Rows rendered above and below the visible ones, so fast scrolling never shows blanks. */
const OVERSCAN = 8;

interface Column {
  key: SortKey;
  label: string;
  className?: string;
  title?: string;
}

// Widths live in styles.css (.fleet-row's grid-template-columns), shared by header and rows.
const COLUMNS: Column[] = [
  { key: 'host', label: 'Host' },
  { key: 'pressure', label: 'Pressure', title: "worst tuple's (used − reclaimable) / usable, in the host's worst namespace" },
  { key: 'tuple', label: 'Worst tuple', title: 'remote:port from local address' },
  {
    key: 'held',
    label: 'Held / usable',
    className: 'num',
    title: 'ports held by the worst tuple (used − reclaimable) of the usable ports',
  },
  { key: 'timeWait', label: 'TIME_WAIT', className: 'num', title: "share of the worst tuple's ports in TIME_WAIT" },
  { key: 'forecast', label: 'Runs out', title: 'forecast at the trend of the last 15 minutes' },
  { key: 'trend', label: 'Last hour', title: 'pressure per minute; sorted by growth' },
  { key: 'lastSeen', label: 'Last seen' },
];

export interface FleetTableProps {
  rows: FleetRow[];
  serverNow: number;
  offlineAfterMs: number;
  sortKey: SortKey;
  sortDir: SortDir;
  onSort: (key: SortKey, dir: SortDir) => void;
}

/**
 * The ranking as a windowed table (ARIA table roles on a CSS grid): only the rows in view, plus
 * OVERSCAN, exist in the DOM, each absolutely placed at index × ROW_HEIGHT inside a body as tall as
 * all rows. A row keeps its position while it stays in view, so scrolling paints only the rows
 * that enter (a table with spacer rows would shift, and repaint, every row on every frame).
 * Arrow keys, Page Up/Down, Home and End move between rows; Enter opens the host.
 */
export function FleetTable({ rows, serverNow, offlineAfterMs, sortKey, sortDir, onSort }: FleetTableProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = useState({ top: 0, height: 800 });
  const [active, setActive] = useState(0);
  const focusPending = useRef(false);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => setViewport({ top: el.scrollTop, height: el.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const frame = useRef(0);
  const onScroll = useCallback(() => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      const el = scroller.current;
      if (el) setViewport({ top: el.scrollTop, height: el.clientHeight });
    });
  }, []);

  const first = Math.max(0, Math.floor(viewport.top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((viewport.top + viewport.height) / ROW_HEIGHT) + OVERSCAN);
  const visible = rows.slice(first, last);
  const activeIndex = Math.min(active, Math.max(0, rows.length - 1));

  useEffect(() => {
    if (!focusPending.current) return;
    focusPending.current = false;
    scroller.current?.querySelector<HTMLElement>(`[data-index="${activeIndex}"]`)?.focus({ preventScroll: true });
  });

  const moveTo = (index: number) => {
    const el = scroller.current;
    const i = Math.max(0, Math.min(rows.length - 1, index));
    if (el) {
      const header = ROW_HEIGHT;
      const top = i * ROW_HEIGHT;
      if (top < el.scrollTop) el.scrollTop = top;
      else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight - header) el.scrollTop = top + ROW_HEIGHT - el.clientHeight + header;
    }
    focusPending.current = true;
    setActive(i);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const page = Math.max(1, Math.floor(viewport.height / ROW_HEIGHT) - 2);
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page };
    if (e.key in moves) moveTo(activeIndex + moves[e.key]!);
    else if (e.key === 'Home') moveTo(0);
    else if (e.key === 'End') moveTo(rows.length - 1);
    else if (e.key === 'Enter' && rows[activeIndex]) navigate(`/hosts/${rows[activeIndex].host.id}`);
    else return;
    e.preventDefault();
  };

  return (
    <div className="table-scroll" ref={scroller} onScroll={onScroll} data-testid="fleet-scroll">
      <div className="fleet" role="table" aria-label="Hosts ranked by port pressure" aria-rowcount={rows.length + 1}>
        <div className="fleet-head" role="rowgroup">
          <div className="fleet-row" role="row" aria-rowindex={1}>
            {COLUMNS.map((c) => {
              const sorted = c.key === sortKey;
              const nextDir: SortDir = sorted ? (sortDir === 'asc' ? 'desc' : 'asc') : FIRST_DIR[c.key];
              return (
                <div
                  key={c.key}
                  role="columnheader"
                  className={`cell ${c.className ?? ''}`}
                  aria-sort={sorted ? (sortDir === 'asc' ? 'ascending' : 'descending') : 'none'}
                >
                  <button type="button" className="sort" title={c.title} onClick={() => onSort(c.key, nextDir)}>
                    {c.label}
                    <span className="sort-mark" aria-hidden="true">
                      {sorted ? (sortDir === 'asc' ? '▲' : '▼') : ''}
                    </span>
                  </button>
                </div>
              );
            })}
          </div>
        </div>
        <div className="fleet-body" role="rowgroup" style={{ height: rows.length * ROW_HEIGHT }} onKeyDown={onKeyDown}>
          {visible.map((row, i) => (
            <FleetRowView
              key={row.host.id}
              row={row}
              index={first + i}
              active={first + i === activeIndex}
              serverNow={serverNow}
              offlineAfterMs={offlineAfterMs}
              onFocus={setActive}
            />
          ))}
        </div>
      </div>
    </div>
  );
}

interface RowProps {
  row: FleetRow;
  index: number;
  active: boolean;
  serverNow: number;
  offlineAfterMs: number;
  onFocus: (i: number) => void;
}

/**
 * Memoised: while scrolling, rows that stay in view keep their props and are not rendered again;
 * only the few entering the window are.
 */
const FleetRowView = memo(function FleetRowView({ row, index, active, serverNow, offlineAfterMs, onFocus }: RowProps) {
  const h = row.host;
  const offline = isOffline(row, serverNow, offlineAfterMs);
  const labels = Object.entries(h.labels);
  return (
    <div
      role="row"
      data-testid="host-row"
      data-host-id={h.id}
      data-index={index}
      aria-rowindex={index + 2}
      tabIndex={active ? 0 : -1}
      className={`fleet-row${offline ? ' offline' : ''}`}
      style={{ transform: `translateY(${index * ROW_HEIGHT}px)` }}
      onFocus={() => onFocus(index)}
      onClick={(e) => {
        if ((e.target as HTMLElement).closest('a')) return;
        navigate(`/hosts/${h.id}`);
      }}
    >
      <div role="cell" className="cell host-cell">
        <Link to={`/hosts/${h.id}`} className="hostname" tabIndex={-1}>
          {visibleText(h.hostname)}
        </Link>
        {h.worstNamespace && (
          <Link
            to={hostHref(h.id, { ns: h.worstNamespace.id })}
            className="ns-chip"
            tabIndex={-1}
            title={`worst namespace of ${h.hostname}: ${h.worstNamespace.label}${h.worstNamespace.container ? `, container ${h.worstNamespace.container}` : ''}`}
            data-testid="worst-namespace"
          >
            {visibleText(h.worstNamespace.label)}
          </Link>
        )}
        {offline && (
          <span className="badge offline" data-testid="offline-badge">
            offline
          </span>
        )}
        <OutdatedAgentBadge version={h.agentVersion} />
        {labels.map(([k, v]) => (
          <span key={k} className="label">
            {k}={visibleText(v)}
          </span>
        ))}
      </div>
      <div role="cell" className="cell">
        <PressureBar value={h.pressure} label={`pressure of ${h.hostname}`} />
      </div>
      <div role="cell" className="cell mono" title={row.tuple} data-testid="worst-tuple">
        {row.tuple}
      </div>
      <div role="cell" className="cell num">
        {row.held === null ? (
          '—'
        ) : (
          <>
            {count(row.held)} <span className="muted">/ {count(h.usable)}</span>
          </>
        )}
      </div>
      <div role="cell" className="cell num">
        {percent(row.timeWaitShare)}
      </div>
      <div role="cell" className="cell">
        <Forecast row={row} ms={exhaustsIn(row, serverNow, offline)} />
      </div>
      <div role="cell" className="cell">
        <Sparkline trend={h.trend} now={serverNow} />
      </div>
      <div role="cell" className={`cell${offline ? ' stale' : ''}`} title={row.lastSeenMs ? formatDateTime(row.lastSeenMs) : undefined}>
        {ago(h.lastSeenAt, serverNow)}
      </div>
    </div>
  );
});

function Forecast({ row, ms }: { row: FleetRow; ms: number | null }) {
  if (ms === null)
    return (
      <span className="muted" title="not growing">
        —
      </span>
    );
  if (ms > FORECAST_HORIZON_MS)
    return (
      <span className="muted" title="growing slowly">
        &gt; 30 d
      </span>
    );
  const level = ms < 3_600_000 ? 'critical' : ms < 86_400_000 ? 'warning' : 'ok';
  const slope = row.host.trend?.slopePerSecond ?? 0;
  return (
    <span className={`forecast ${level}`} title={`growing ${(slope * 60).toFixed(1)} ports/min`} data-testid="forecast">
      {ms === 0 ? 'now' : `in ${duration(ms)}`}
    </span>
  );
}
