import {
  HOST_NAMESPACE_ID,
  isOffline,
  visibleText,
  type AdviceItem,
  type HostDetail,
  type HostHistory,
  type LiveMessage,
  type TupleUsage,
} from '@portpressure/protocol';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { fetchDetail, fetchHistory } from '../api.ts';
import { queryErrorText } from '../query-client.ts';
import { ago, count, duration, formatDateTime, percent, pressureLevel, timeWaitShare, tupleLabel } from '../format.ts';
import { useLiveMessages } from '../live.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { PressureBar } from '../ui/pressure-bar.tsx';
import { AdvicePanel } from './advice-panel.tsx';
import { ClockSkew } from './clock-skew.tsx';
import { EgressGroupControl } from '../destinations/egress-group-control.tsx';
import { DeleteHost } from './delete-host.tsx';
import { DiagnosisPanel } from './diagnosis-panel.tsx';
import { ResetSequence } from './reset-sequence.tsx';
import { HostCharts } from './host-charts.tsx';
import { KernelPanel } from './kernel-panel.tsx';
import { PRESET_MS, RangePicker, rangeFromSearch, rangeToSearch, type RangeChoice } from './range-picker.tsx';
import { TupleTable } from './tuple-table.tsx';
import { OutdatedAgentBadge } from '../install/outdated-agent-badge.tsx';
import { hostHref, namespaceByInode, namespaceFromSearch } from './host-href.ts';
import { fetchHostNamespaces, fetchNamespaceDetail, fetchNamespaceHistory } from './namespaces-api.ts';
import { NamespacePicker } from './namespace-picker.tsx';

/** How often live snapshots may trigger a history reload, per range: finer ranges move faster. */
const REFRESH_MS: Record<string, number> = { '1h': 5_000, '24h': 60_000, '7d': 300_000 };

function windowOf(range: RangeChoice, now: number): [number, number] {
  return range.kind === 'custom' ? [range.from, range.to] : [now - PRESET_MS[range.kind], now];
}

interface LoadedHistory {
  data: HostHistory;
  xRange: [number, number];
}

/** What the tiles, tuple table and advice show: the host's own namespace or the one picked. */
interface Shown {
  pressure: number | null;
  usable: number | null;
  worst: TupleUsage | null;
  tupleCount: number | null;
  hostPortsInUse: number | null;
  latest: HostDetail['latest'];
  advice: AdviceItem[];
}

export function HostPage({ id }: { id: string }) {
  const { search } = useLocation();
  const range = rangeFromSearch(search);
  const rangeKey = rangeToSearch(range);
  const ns = namespaceFromSearch(search);
  const ownNamespace = ns === HOST_NAMESPACE_ID;
  const client = useQueryClient();
  const [tick, setTick] = useState(() => Date.now());
  const lastRefresh = useRef(0);

  const detailQuery = useQuery({
    queryKey: ['host', id, 'detail'],
    queryFn: async ({ signal }) => {
      const d = await fetchDetail(id, signal);
      // serverTime − Date.now() at the answer: the server's clock decides "offline".
      return { detail: d, skew: Date.parse(d.serverTime) - Date.now() };
    },
  });
  const namespacesQuery = useQuery({
    queryKey: ['host', id, 'namespaces'],
    queryFn: ({ signal }) => fetchHostNamespaces(id, signal),
  });
  const namespaceQuery = useQuery({
    queryKey: ['host', id, 'namespace', ns],
    queryFn: ({ signal }) => fetchNamespaceDetail(id, ns, signal),
    enabled: !ownNamespace,
  });
  const historyQuery = useQuery({
    queryKey: ['host', id, 'history', ns, rangeKey],
    queryFn: async ({ signal }): Promise<LoadedHistory> => {
      const xRange = windowOf(rangeFromSearch(new URLSearchParams(rangeKey)), Date.now());
      lastRefresh.current = Date.now();
      const [from, to] = [new Date(xRange[0]), new Date(xRange[1])];
      const data = ownNamespace ? await fetchHistory(id, from, to, signal) : await fetchNamespaceHistory(id, ns, from, to, signal);
      return { data, xRange };
    },
    // The charts of the previous range stay up while the new range loads, instead of a blank page.
    placeholderData: keepPreviousData,
  });
  const detail = detailQuery.data?.detail ?? null;
  const skew = detailQuery.data?.skew ?? 0;
  const detailError = queryErrorText(detailQuery.error);
  const history = historyQuery.data ?? null;
  const historyError = queryErrorText(historyQuery.error);
  // An alert's link names the namespace by its inode: once the list is in, it becomes ?ns=<id>.
  const inode = search.get('inode');
  useEffect(() => {
    const list = namespacesQuery.data?.namespaces;
    if (inode === null || !list) return;
    const ns = namespaceByInode(list, inode)?.id;
    navigate(hostHref(id, { ns, range: rangeFromSearch(new URLSearchParams(rangeKey)) }), { replace: true });
  }, [inode, namespacesQuery.data, id, rangeKey]);
  const namespaceError = ownNamespace ? null : queryErrorText(namespaceQuery.error);
  const picked = ownNamespace ? null : (namespaceQuery.data ?? null);

  useEffect(() => {
    const timer = setInterval(() => setTick(Date.now()), 5_000);
    return () => clearInterval(timer);
  }, []);

  // A new snapshot of this host shows at once in the header (patched into the cached detail); the
  // charts and tables follow, throttled per range (a 7-day chart does not need redrawing every 10 s).
  const refreshTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(refreshTimer.current), []);
  const onLive = useCallback(
    (m: LiveMessage) => {
      type Cached = { detail: HostDetail; skew: number };
      const patch = (change: (d: HostDetail) => HostDetail) =>
        client.setQueryData<Cached>(['host', id, 'detail'], (c) => (c ? { ...c, detail: change(c.detail) } : c));
      if (m.type === 'host' && m.host.id === id) {
        patch((d) => ({ ...d, host: m.host }));
        if (range.kind === 'custom' || refreshTimer.current) return;
        const wait = Math.max(0, lastRefresh.current + (REFRESH_MS[range.kind] ?? 60_000) - Date.now());
        refreshTimer.current = setTimeout(() => {
          refreshTimer.current = undefined;
          void client.invalidateQueries({ queryKey: ['host', id] });
        }, wait);
      } else if (m.type === 'trend' && m.hostId === id) {
        patch((d) => ({ ...d, trend: m.trend }));
      }
    },
    [client, id, range.kind],
  );
  useLiveMessages(onLive);

  if (detailError) {
    return (
      <section className="card empty">
        <h1>Host not available</h1>
        <p className="error" role="alert">
          {detailError}
        </p>
        <Link to="/">Back to the fleet</Link>
      </section>
    );
  }
  if (!detail) return <p className="muted page-pad">Loading…</p>;

  const h = detail.host;
  const serverNow = tick + skew;
  const offline = isOffline(h.lastSeenAt === null ? null : Date.parse(h.lastSeenAt), serverNow, detail.offlineAfterSeconds * 1000);
  const shown: Shown | null = ownNamespace
    ? {
        pressure: h.pressure,
        usable: h.usable,
        worst: h.worstTuple,
        tupleCount: h.tupleCount,
        hostPortsInUse: h.hostPortsInUse,
        latest: detail.latest,
        advice: detail.advice,
      }
    : picked && {
        pressure: picked.namespace.pressure,
        usable: picked.latest?.report.usable ?? null,
        worst: picked.latest?.report.tuples[0] ?? null,
        tupleCount: picked.latest?.report.tupleCount ?? null,
        hostPortsInUse: picked.latest?.report.hostPortsInUse ?? null,
        latest: picked.latest,
        advice: picked.advice,
      };
  const latest = shown?.latest ?? null;
  const report = latest?.report ?? null;
  const worst = shown?.worst ?? null;
  // The forecast is drawn from the host's own namespace only.
  const exhaustsAt = ownNamespace && detail.trend?.exhaustsAt ? Date.parse(detail.trend.exhaustsAt) : null;

  return (
    <div className="host-page">
      <div className="host-head">
        <Link to="/" className="back">
          ← Fleet
        </Link>
        <h1 data-testid="host-title">{visibleText(h.hostname)}</h1>
        {offline ? (
          <span className="badge offline" data-testid="offline-badge">
            offline
          </span>
        ) : (
          <span className="badge online">reporting</span>
        )}
        <OutdatedAgentBadge version={h.agentVersion} long />
        {Object.entries(h.labels).map(([k, v]) => (
          <span key={k} className="label">
            {k}={visibleText(v)}
          </span>
        ))}
        <EgressGroupControl hostId={h.id} />
        <ClockSkew hostId={h.id} />
        <span className="muted" title={h.lastSeenAt ? formatDateTime(Date.parse(h.lastSeenAt)) : undefined}>
          last seen {ago(h.lastSeenAt, serverNow)}
        </span>
        <span className="spacer" />
        <RangePicker value={range} onChange={(c) => navigate(hostHref(id, { ns, range: c }), { replace: true })} />
        <ResetSequence id={id} hostname={h.hostname} />
        <DeleteHost id={id} hostname={h.hostname} />
      </div>

      <NamespacePicker
        namespaces={namespacesQuery.data?.namespaces ?? []}
        value={ns}
        onChange={(n) => navigate(hostHref(id, { ns: n, range }))}
      />
      {namespaceError && (
        <p className="error" role="alert">
          Could not load this namespace: {namespaceError}
        </p>
      )}

      <div className="tiles">
        <div className="tile">
          <span className="tile-label">Pressure</span>
          <span className={`tile-value ${pressureLevel(shown?.pressure)}`} data-testid="host-pressure">
            {percent(shown?.pressure)}
          </span>
          <PressureBar value={shown?.pressure ?? null} showValue={false} />
        </div>
        <div className="tile wide">
          <span className="tile-label">Worst tuple</span>
          <span className="tile-value mono small">{tupleLabel(worst)}</span>
          <span className="muted">
            {worst ? `${count(worst.used - worst.reclaimable)} of ${count(shown?.usable)} usable ports held` : 'no client connections'}
          </span>
        </div>
        <div className="tile">
          <span className="tile-label">TIME_WAIT</span>
          <span className="tile-value">{percent(timeWaitShare(worst))}</span>
          <span className="muted">
            {worst ? `${count(worst.timeWait)} socket${worst.timeWait === 1 ? '' : 's'}, ${count(worst.reclaimable)} reclaimable` : '—'}
          </span>
        </div>
        <div className="tile">
          <span className="tile-label">Runs out</span>
          <span
            className={`tile-value ${exhaustsAt !== null && !offline ? (exhaustsAt - serverNow < 3_600_000 ? 'critical' : 'warning') : ''}`}
            data-testid="host-forecast"
          >
            {!ownNamespace
              ? '—'
              : exhaustsAt === null || offline
                ? 'not growing'
                : exhaustsAt <= serverNow
                  ? 'now'
                  : `in ${duration(exhaustsAt - serverNow)}`}
          </span>
          <span className="muted">
            {!ownNamespace
              ? "forecasts follow the host's own namespace"
              : detail.trend
                ? `${(detail.trend.slopePerSecond * 60).toFixed(1)} ports/min over 15 min`
                : 'no trend yet'}
          </span>
        </div>
        <div className="tile">
          <span className="tile-label">Tuples</span>
          <span className="tile-value" data-testid="tuple-count">
            {count(shown?.tupleCount)}
          </span>
          <span className="muted">
            {count(shown?.hostPortsInUse)} ports in use {ownNamespace ? 'host-wide' : 'in this namespace'}
          </span>
        </div>
      </div>

      {historyError && (
        <p className="error" role="alert">
          Could not load the history: {historyError}
        </p>
      )}
      {history ? (
        <HostCharts history={history.data} xRange={history.xRange} subject={ownNamespace ? 'Host' : 'Namespace'} />
      ) : (
        !historyError && <p className="muted">Loading the history…</p>
      )}

      <div className="host-grid">
        <section className="card panel tuples-panel" aria-labelledby="tuples-title">
          <h2 id="tuples-title">
            Tuples now{' '}
            {latest && (
              <span className="muted small">
                snapshot #{latest.seq}, {formatDateTime(Date.parse(latest.takenAt))}
              </span>
            )}
          </h2>
          {report ? (
            <TupleTable tuples={report.tuples} tupleCount={report.tupleCount} usable={report.usable} />
          ) : (
            <p className="muted">{shown ? 'No snapshot yet.' : 'Loading…'}</p>
          )}
        </section>
        <div className="side">
          <AdvicePanel advice={shown?.advice ?? []} report={report} />
          {report && <KernelPanel report={report} />}
        </div>
      </div>
      <DiagnosisPanel hostId={id} />
    </div>
  );
}
