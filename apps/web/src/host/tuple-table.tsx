import type { TcpState, TupleUsage } from '@portpressure/protocol';
import { useState } from 'react';
import { count } from '../format.ts';
import { PressureBar } from '../ui/pressure-bar.tsx';
import { ColumnHeads } from '../ui/column-heads.tsx';

const SHOWN = 25;
const STATE_SHORT: Record<TcpState, string> = {
  ESTABLISHED: 'EST',
  SYN_SENT: 'SYN-S',
  SYN_RECV: 'SYN-R',
  FIN_WAIT1: 'FW1',
  FIN_WAIT2: 'FW2',
  TIME_WAIT: 'TW',
  CLOSE: 'CLOSE',
  CLOSE_WAIT: 'CW',
  LAST_ACK: 'LACK',
  LISTEN: 'LISTEN',
  CLOSING: 'CLOSING',
};

/** The latest snapshot's tuples, worst first (the agent lists up to 1,000; `tupleCount` counts all). */
export function TupleTable({ tuples, tupleCount, usable }: { tuples: TupleUsage[]; tupleCount: number; usable: number }) {
  const [all, setAll] = useState(false);
  const shown = all ? tuples : tuples.slice(0, SHOWN);
  if (tuples.length === 0) return <p className="muted">No client-side TCP connections in the ephemeral range.</p>;
  return (
    <>
      <div className="table-wrap">
        <table className="tuples" aria-label="Tuples of the latest snapshot" data-testid="tuple-table">
          <ColumnHeads
            columns={[
              'Destination',
              'From',
              { label: 'Used', numeric: true, title: 'client sockets with a local port in the range' },
              { label: 'TIME_WAIT', numeric: true },
              { label: 'Reclaimable', numeric: true, title: 'TIME_WAIT entries connect() may recycle now' },
              { label: 'Held', numeric: true, title: 'used \u2212 reclaimable, of usable' },
              'Pressure',
              'States',
            ]}
          />
          <tbody>
            {shown.map((t) => (
              <tr key={`${t.localAddress} ${t.remoteAddress} ${t.remotePort}`} data-testid="tuple-row">
                <td className="mono">
                  {t.remoteAddress.includes(':') ? `[${t.remoteAddress}]` : t.remoteAddress}:{t.remotePort}
                </td>
                <td className="mono">{t.localAddress}</td>
                <td className="num">{count(t.used)}</td>
                <td className="num">{count(t.timeWait)}</td>
                <td className="num">{count(t.reclaimable)}</td>
                <td className="num">
                  {count(t.used - t.reclaimable)} <span className="muted">/ {count(usable)}</span>
                </td>
                <td>
                  <PressureBar value={t.pressure} />
                </td>
                <td className="states">
                  {Object.entries(t.states)
                    .filter(([, n]) => n)
                    .map(([s, n]) => (
                      <span key={s} className="state" title={s}>
                        {STATE_SHORT[s as TcpState]} {count(n)}
                      </span>
                    ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted table-foot">
        {tuples.length > SHOWN && (
          <button type="button" className="link" onClick={() => setAll(!all)}>
            {all ? `Show the worst ${SHOWN}` : `Show all ${count(tuples.length)} listed`}
          </button>
        )}{' '}
        {tupleCount > tuples.length && `${count(tupleCount)} tuples in all; the agent lists the worst ${count(tuples.length)}.`}
      </p>
    </>
  );
}
