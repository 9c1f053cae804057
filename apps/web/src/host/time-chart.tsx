import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import { useResolvedTheme } from '../theme.ts';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** A CSS colour or a custom property name ("--accent"). */
  color: string;
  width?: number;
  dash?: number[];
  fill?: boolean;
}

export interface TimeChartProps {
  title: string;
  /** Bucket starts, ms since the epoch. */
  t: number[];
  series: ChartSeries[];
  /** Fixed y range, e.g. [0, 1] for pressure; otherwise from 0 to the data's maximum. */
  yRange?: [number, number];
  yFormat: (v: number) => string;
  /** Offline stretches (ms), shaded and never bridged by a line. */
  gaps: { from: number; to: number }[];
  /** Horizontal reference lines (thresholds). */
  lines?: { value: number; color: string }[];
  /** The x span to show even where there is no data (the range picked). */
  xRange: [number, number];
  height?: number;
}

/**
 * A CSS colour (or a custom property name) as the page resolves it, for the canvas: the palette's
 * custom properties hold light-dark() pairs, which a canvas cannot parse and only an element's
 * computed style picks from.
 */
function cssColor(color: string): string {
  const probe = document.createElement('span');
  probe.style.color = color.startsWith('--') ? `var(${color})` : color;
  document.body.append(probe);
  const resolved = getComputedStyle(probe).color;
  probe.remove();
  return resolved;
}

/**
 * uPlot (a canvas time-series library) for the host page. Buckets exist only where snapshots do,
 * so each offline gap gets a null point in every series: lines break there instead of bridging the
 * silence, and the gap is shaded. Times are drawn in the viewer's local time zone.
 */
export function TimeChart({ title, t, series, yRange, yFormat, gaps, lines = [], xRange, height = 200 }: TimeChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const theme = useResolvedTheme();

  const data = useMemo((): uPlot.AlignedData => {
    const points = t.map((x, i) => ({ x, i }));
    for (const g of gaps) points.push({ x: (g.from + g.to) / 2, i: -1 });
    points.sort((a, b) => a.x - b.x);
    return [points.map((p) => p.x / 1000), ...series.map((s) => points.map((p) => (p.i < 0 ? null : (s.values[p.i] ?? null))))];
  }, [t, series, gaps]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the chart reads its colours from CSS variables, so a theme change must redraw it
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const muted = cssColor('--muted');
    const grid = cssColor('--line');
    const gapFill = cssColor('--gap');
    const axis: uPlot.Axis = {
      stroke: muted,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
      font: '11px system-ui, sans-serif',
    };
    const opts: uPlot.Options = {
      width: Math.max(300, el.clientWidth),
      height,
      legend: { live: true },
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      scales: {
        x: { time: true, range: () => [xRange[0] / 1000, xRange[1] / 1000] },
        y: { range: yRange ? () => yRange : (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
      },
      axes: [{ ...axis }, { ...axis, size: 56, values: (_u, splits) => splits.map((v) => yFormat(v)) }],
      series: [
        { label: 'Time', value: (_u, v) => (v === null ? '—' : new Date(v * 1000).toLocaleString()) },
        ...series.map((s): uPlot.Series => {
          const stroke = cssColor(s.color);
          return {
            label: s.label,
            stroke,
            width: s.width ?? 1.5,
            dash: s.dash,
            fill: s.fill ? cssColor(`color-mix(in srgb, ${stroke} 13.3%, transparent)`) : undefined,
            points: { show: false },
            value: (_u, v) => (v === null ? '—' : yFormat(v)),
          };
        }),
      ],
      hooks: {
        drawClear: [
          (u) => {
            const ctx = u.ctx;
            ctx.save();
            ctx.fillStyle = gapFill;
            for (const g of gaps) {
              const x0 = u.valToPos(g.from / 1000, 'x', true);
              const x1 = u.valToPos(g.to / 1000, 'x', true);
              const left = Math.max(u.bbox.left, x0);
              const right = Math.min(u.bbox.left + u.bbox.width, x1);
              if (right > left) ctx.fillRect(left, u.bbox.top, right - left, u.bbox.height);
            }
            ctx.restore();
          },
        ],
        draw: [
          (u) => {
            const ctx = u.ctx;
            ctx.save();
            ctx.setLineDash([4, 4]);
            ctx.lineWidth = 1;
            for (const l of lines) {
              const y = u.valToPos(l.value, 'y', true);
              ctx.strokeStyle = cssColor(l.color);
              ctx.beginPath();
              ctx.moveTo(u.bbox.left, y);
              ctx.lineTo(u.bbox.left + u.bbox.width, y);
              ctx.stroke();
            }
            ctx.restore();
          },
        ],
      },
    };
    const chart = new uPlot(opts, data, el);
    const observer = new ResizeObserver(() => chart.setSize({ width: Math.max(300, el.clientWidth), height }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
    // rebuilt when the data or the theme changes; uPlot redraws fast enough for that
  }, [data, theme, series, gaps, lines, xRange, yRange, yFormat, height]);

  return (
    <figure className="chart card">
      <figcaption>{title}</figcaption>
      <div ref={box} className="chart-box" role="img" aria-label={`${title} over time`} data-points={t.length} data-gaps={gaps.length} />
    </figure>
  );
}
