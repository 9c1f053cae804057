import {
  visibleText,
  type Conntrack,
  type Diagnostics,
  type KernelCounterDelta,
  type Snat,
  type TupleDiagnosis,
  type TupleProcess,
  type Verdict,
} from '@portpressure/protocol';
import { useQuery } from '@tanstack/react-query';
import { fetchDiagnostics } from '../api.ts';
import { count, formatDateTime, percent, pressureLevel, tupleLabel } from '../format.ts';
import { queryErrorText } from '../query-client.ts';
import { PressureBar } from '../ui/pressure-bar.tsx';
import { ColumnHeads } from '../ui/column-heads.tsx';

/** Counters whose growth means the kernel is recycling or giving up TIME_WAIT entries already. */
const RECYCLING: ReadonlySet<string> = new Set(['TWRecycled', 'TCPTimeWaitOverflow', 'TWKilled']);

function rate(perSecond: number | null): string {
  if (perSecond === null) return '—';
  return `${perSecond >= 100 ? count(perSecond) : String(Number(perSecond.toFixed(1)))}/s`;
}

function Verdicts({ verdicts }: { verdicts: Verdict[] }) {
  if (verdicts.length === 0) return null;
  return (
    <ul className="advice" data-testid="verdicts">
      {verdicts.map((v, i) => (
        <li key={`${v.code}-${i}`} data-testid="verdict">
          <span className={`advice-code ${v.code}`}>{v.code.replaceAll('-', ' ')}</span>
          {visibleText(v.text)}
          {v.advice.length > 0 && (
            <ul className="verdict-advice">
              {v.advice.map((a) => (
                <li key={a}>{visibleText(a)}</li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ul>
  );
}

function where(p: TupleProcess): string {
  if (p.podUid !== null) return `pod ${p.podUid}`;
  if (p.container !== null) return `container ${p.container.slice(0, 12)}`;
  return 'host';
}

function Processes({ tuple }: { tuple: TupleDiagnosis }) {
  if (tuple.processes === null) return <p className="muted small">Processes not attributed in this snapshot.</p>;
  return (
    <table className="tuples" aria-label={`Processes holding ${tupleLabel(tuple)}`} data-testid="processes">
      <ColumnHeads columns={['PID', 'Command', 'User', 'Where', { label: 'Sockets', numeric: true }]} />
      <tbody>
        {tuple.processes.map((p) => (
          <tr key={p.pid} data-testid="process-row">
            <td className="mono">{p.pid}</td>
            <td className="mono">{visibleText(p.command)}</td>
            <td>{visibleText(p.user)}</td>
            <td className="mono" title={p.podUid ?? p.container ?? undefined}>
              {where(p)}
            </td>
            <td className="num">{count(p.sockets)}</td>
          </tr>
        ))}
        {tuple.unattributedSockets > 0 && (
          <tr>
            <td colSpan={4} className="muted">
              not attributed (process exited or out of the agent's view)
            </td>
            <td className="num">{count(tuple.unattributedSockets)}</td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

function TupleCard({ tuple }: { tuple: TupleDiagnosis }) {
  const c = tuple.churn;
  return (
    <div className="diagnosis-tuple" data-testid="diagnosis-tuple">
      <h3 className="mono">{tupleLabel(tuple)}</h3>
      <p className="churn" data-testid="churn">
        <span title="new connections per second since the previous snapshot">{rate(c.newPerSecond)} new</span>
        <span title="sockets entering TIME_WAIT per second">{rate(c.timeWaitInflowPerSecond)} into TIME_WAIT</span>
        <span title="timeWait / used now">{percent(c.timeWaitShare)} TIME_WAIT</span>
      </p>
      <Verdicts verdicts={tuple.verdicts} />
      <div className="table-wrap">
        <Processes tuple={tuple} />
      </div>
    </div>
  );
}

function ConntrackFacts({ conntrack }: { conntrack: Conntrack | null }) {
  if (conntrack === null) return <dd className="muted">no conntrack table</dd>;
  const fill = conntrack.max > 0 ? conntrack.count / conntrack.max : null;
  const delta = (d: number | null) => (d === null ? '—' : `+${count(d)}`);
  return (
    <dd data-testid="conntrack">
      {count(conntrack.count)} of {count(conntrack.max)} <span className={pressureLevel(fill)}>({percent(fill)})</span>
      <span className="muted">
        {' '}
        · insert failed {delta(conntrack.insertFailed)}, drop {delta(conntrack.drop)}, early drop {delta(conntrack.earlyDrop)}
      </span>
    </dd>
  );
}

function SnatPools({ snat }: { snat: Snat }) {
  return (
    <div className="table-wrap">
      <p className="small">
        NAT port range{' '}
        <span className="mono">
          {snat.portRange === null ? 'not set (the kernel picks from 1024–65535)' : `${snat.portRange.low}–${snat.portRange.high}`}
        </span>
        , {count(snat.poolCount)} pool{snat.poolCount === 1 ? '' : 's'}
      </p>
      <table className="tuples" aria-label="SNAT pools" data-testid="snat-pools">
        <ColumnHeads columns={['Destination', 'Translated source', { label: 'Ports in use', numeric: true }, 'Of the NAT range']} />
        <tbody>
          {snat.pools.map((p) => (
            <tr key={`${p.translatedAddress} ${p.remoteAddress} ${p.remotePort}`} data-testid="snat-pool">
              <td className="mono">
                {p.remoteAddress.includes(':') ? `[${p.remoteAddress}]` : p.remoteAddress}:{p.remotePort}
              </td>
              <td className="mono">{p.translatedAddress}</td>
              <td className="num">
                {count(p.portsInUse)} <span className="muted">of {count(p.capacity)}</span>
              </td>
              <td>
                <PressureBar value={p.pressure} label="share of the NAT port range in use" />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function KernelEvidence({ kernel }: { kernel: KernelCounterDelta[] }) {
  if (kernel.length === 0) return <dd className="muted">no deltas yet</dd>;
  const recycling = kernel.some((k) => k.delta > 0 && RECYCLING.has(k.name));
  return (
    <dd data-testid="kernel-evidence">
      {kernel.map((k) => `${k.name} +${count(k.delta)}`).join(', ')}
      {recycling && (
        <span className="warning-text" data-testid="kernel-recycling">
          {' '}
          · the kernel is already recycling
        </span>
      )}
    </dd>
  );
}

function DiagnosisBody({ diagnostics }: { diagnostics: Diagnostics }) {
  return (
    <>
      <Verdicts verdicts={diagnostics.verdicts} />
      <dl className="facts diagnosis-facts">
        <dt title="nf_conntrack_count of nf_conntrack_max; failures since the previous snapshot">Conntrack</dt>
        <ConntrackFacts conntrack={diagnostics.conntrack} />
        <dt title="TCP counters since the previous snapshot">Kernel counters</dt>
        <KernelEvidence kernel={diagnostics.kernel} />
        <dt>Processes attributed</dt>
        <dd>{diagnostics.attributedAt === null ? 'never' : formatDateTime(Date.parse(diagnostics.attributedAt))}</dd>
      </dl>
      {diagnostics.snat !== null && <SnatPools snat={diagnostics.snat} />}
      {diagnostics.tuples.length === 0 ? (
        <p className="muted">No tuple to diagnose.</p>
      ) : (
        diagnostics.tuples.map((t) => <TupleCard key={`${t.localAddress} ${t.remoteAddress} ${t.remotePort}`} tuple={t} />)
      )}
    </>
  );
}

/** Who holds the worst tuples and what to change, from the host's latest diagnosed snapshot. */
export function DiagnosisPanel({ hostId }: { hostId: string }) {
  // Under the host's key: the page's live refresh (invalidating ['host', id]) reloads it too.
  const query = useQuery({ queryKey: ['host', hostId, 'diagnostics'], queryFn: ({ signal }) => fetchDiagnostics(hostId, signal) });
  const error = queryErrorText(query.error);
  const data = query.data;
  return (
    <section className="card panel diagnosis-panel" aria-labelledby="diagnosis-title" data-testid="diagnosis-panel">
      <h2 id="diagnosis-title">
        Diagnosis{' '}
        {data?.takenAt && data.seq !== null && (
          <span className="muted small">
            snapshot #{data.seq}, {formatDateTime(Date.parse(data.takenAt))}
          </span>
        )}
      </h2>
      {error ? (
        <p className="error" role="alert">
          Could not load the diagnosis: {error}
        </p>
      ) : !data ? (
        <p className="muted">Loading…</p>
      ) : data.diagnostics === null ? (
        <p className="muted" data-testid="no-diagnosis">
          This host's agent has sent no diagnosis yet (agents before diagnosis send none).
        </p>
      ) : (
        <DiagnosisBody diagnostics={data.diagnostics} />
      )}
    </section>
  );
}
