import { decodeSparkline, type FleetTrend } from '@portpressure/protocol';
import { percent, pressureLevel } from '../format.ts';

const W = 112;
const H = 22;
const HOUR = 3_600_000;

/**
 * The last hour of a host's pressure (per-minute maxima), drawn against a fixed 0-100 % scale so
 * rows compare at a glance; minutes without a snapshot break the line.
 */
export function Sparkline({ trend, now }: { trend: FleetTrend | null; now: number }) {
  if (!trend) return <span className="muted">—</span>;
  const from = now - HOUR;
  const step = 60_000;
  const segments: string[][] = [];
  let current: string[] = [];
  let last: { x: number; y: number; p: number } | null = null;
  let peak = 0;
  decodeSparkline(trend.sparkline).forEach((p, i) => {
    const t = trend.start + i * step + step / 2;
    if (p === null || t < from) {
      if (current.length) segments.push(current);
      current = [];
      return;
    }
    const x = Math.min(W, ((t - from) / HOUR) * W);
    const y = H - 1 - Math.min(1, p) * (H - 2);
    current.push(`${x.toFixed(1)},${y.toFixed(1)}`);
    last = { x, y, p };
    peak = Math.max(peak, p);
  });
  if (current.length) segments.push(current);
  const end = last as { x: number; y: number; p: number } | null;
  return (
    <svg
      className={`sparkline ${pressureLevel(peak)}`}
      width={W}
      height={H}
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={`last hour, peak ${percent(peak)}`}
    >
      <line className="baseline" x1="0" x2={W} y1={H - 0.5} y2={H - 0.5} />
      {segments.map((s, i) =>
        s.length === 1 ? (
          <circle key={i} cx={s[0]!.split(',')[0]} cy={s[0]!.split(',')[1]} r="1.2" />
        ) : (
          <polyline key={i} points={s.join(' ')} />
        ),
      )}
      {end && <circle className="end" cx={end.x} cy={end.y} r="2" />}
    </svg>
  );
}
