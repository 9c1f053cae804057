import { PRESSURE_CRITICAL, PRESSURE_WARNING, type HostHistory, type TcpState } from '@portpressure/protocol';
import { useMemo } from 'react';
import { count, formatDateTime, localTimeZone, percent, tupleLabel } from '../format.ts';
import { TimeChart, type ChartSeries } from './time-chart.tsx';

/** Colours of the top-tuple series, in rank order (distinct in both themes). */
const TUPLE_COLORS = ['#e8590c', '#7048e8', '#0c8599', '#c2255c', '#5c940d'];
const STATE_COLORS: Partial<Record<TcpState, string>> = {
  ESTABLISHED: '#1c7ed6',
  TIME_WAIT: '#f08c00',
  SYN_SENT: '#ae3ec9',
  FIN_WAIT1: '#0ca678',
  FIN_WAIT2: '#2f9e44',
  CLOSE_WAIT: '#e03131',
  LAST_ACK: '#845ef7',
  CLOSING: '#868e96',
  CLOSE: '#495057',
};

const pct = (v: number) => percent(v);
const ports = (v: number) => count(v);
const PRESSURE_LINES = [
  { value: PRESSURE_WARNING, color: '--warning' },
  { value: PRESSURE_CRITICAL, color: '--critical' },
];
const PRESSURE_RANGE: [number, number] = [0, 1];

/** `subject` names the first series: the host's own namespace, or the namespace picked. */
export function HostCharts({ history, xRange, subject = 'Host' }: { history: HostHistory; xRange: [number, number]; subject?: string }) {
  const pressure = useMemo(
    (): ChartSeries[] => [
      { label: `${subject} (worst tuple)`, values: history.pressure, color: '--accent', width: 2.5, fill: true },
      ...history.tuples.map((s, i) => ({
        label: tupleLabel(s.tuple),
        values: s.pressure,
        color: TUPLE_COLORS[i % TUPLE_COLORS.length]!,
        width: 1.25,
      })),
    ],
    [history, subject],
  );
  const portSeries = useMemo(
    (): ChartSeries[] => [
      { label: 'Held by the worst tuple', values: history.held, color: '--accent', width: 2 },
      { label: 'Usable', values: history.usable, color: '--critical', dash: [6, 4], width: 1 },
      { label: 'Host ports in use', values: history.hostPortsInUse, color: '--muted', width: 1.25 },
    ],
    [history],
  );
  const stateSeries = useMemo(
    (): ChartSeries[] => [
      ...Object.entries(history.states).map(([state, values]) => ({
        label: state,
        values,
        color: STATE_COLORS[state as TcpState] ?? '#868e96',
        width: state === 'TIME_WAIT' ? 2 : 1.25,
      })),
      { label: 'TIME_WAIT reclaimable', values: history.reclaimable, color: '#f08c00', dash: [3, 3], width: 1 },
    ],
    [history],
  );

  const empty = history.t.length === 0;
  return (
    <div className="charts">
      <p className="muted chart-note">
        {empty ? 'No snapshot in this range. ' : ''}
        Each point is the highest value of its {history.bucketSeconds} s bucket, so short spikes stay visible. Shaded: host offline. Times
        in {localTimeZone()}, {formatDateTime(xRange[0])} – {formatDateTime(xRange[1])}.
      </p>
      <TimeChart
        title="Pressure: (used − reclaimable) / usable"
        t={history.t}
        series={pressure}
        yRange={PRESSURE_RANGE}
        yFormat={pct}
        gaps={history.gaps}
        lines={PRESSURE_LINES}
        xRange={xRange}
        height={240}
      />
      <div className="chart-pair">
        <TimeChart title="Ports" t={history.t} series={portSeries} yFormat={ports} gaps={history.gaps} xRange={xRange} />
        <TimeChart
          title="Sockets of the listed tuples by state"
          t={history.t}
          series={stateSeries}
          yFormat={ports}
          gaps={history.gaps}
          xRange={xRange}
        />
      </div>
    </div>
  );
}
