import { describeTuple } from '@portpressure/domain';
import type { Advice } from '@portpressure/domain';
import type { PortReport, StateCounts, TupleUsage } from '@portpressure/protocol';
import type { CheckStatus, Thresholds } from './check-status.ts';
import { checkedPressure } from './check-status.ts';
import { describeReportSource } from '../socket-source.ts';
import { diagnosisLines } from './format-diagnosis.ts';

export interface CheckOutcome {
  status: CheckStatus;
  exitCode: number;
  thresholds: Thresholds;
  report: PortReport;
  hints: Advice[];
  warnings: string[];
}

/** The JSON printed by `check --json`: the report under the port-accounting names plus the verdict. */
export function checkJson(outcome: CheckOutcome): string {
  return `${JSON.stringify(checkJsonObject(outcome), null, 2)}\n`;
}

/** The object `check --json` prints; `check --all-namespaces --json` prints one per namespace. */
export function checkJsonObject(outcome: CheckOutcome) {
  return {
    status: outcome.status,
    exitCode: outcome.exitCode,
    checkedPressure: checkedPressure(outcome.report),
    thresholds: outcome.thresholds,
    report: outcome.report,
    hints: outcome.hints,
    warnings: outcome.warnings,
  };
}

/**
 * The text summary. The first line follows the Nagios plugin format (status, text, performance
 * data after "|"); the lines after it are the long output a person reads.
 */
export function checkText(outcome: CheckOutcome): string {
  const { report, thresholds, status } = outcome;
  const lines: string[] = [];
  lines.push(`PORTPRESSURE ${status} - ${headline(report)} | ${perfdata(report, thresholds)}`);
  lines.push('');
  const rangeSize = report.range.high - report.range.low + 1;
  lines.push(
    row(
      'Range',
      `${report.range.low}-${report.range.high}: ${rangeSize} ports, ${report.reservedInRange} reserved (ip_local_reserved_ports) → capacity ${report.capacity}`,
    ),
  );
  lines.push(
    row(
      'Listeners',
      `${report.bindOwned} port${plural(report.bindOwned)} of the range held by LISTEN sockets (bindOwned) → usable ${report.usable} per tuple`,
    ),
  );
  lines.push(
    row(
      'Host-wide',
      `${report.hostPortsInUse} of ${report.capacity} ports used by some TCP socket (hostPortsInUse: what bind() to port 0 competes for)`,
    ),
  );
  lines.push(row('UDP pool', `${report.udp.used} of ${report.udp.capacity} ports (${percent(report.udp.pressure)})`));
  if (report.tupleCount === 0) lines.push(row('Tuples', 'none: no outgoing TCP connection holds a port of the range'));
  else {
    const shown = report.tuples.length;
    lines.push(
      row('Tuples', `${report.tupleCount} (local address → destination)${shown < report.tupleCount ? `, worst ${shown} shown` : ''}:`),
    );
    if (shown > 0) lines.push('', ...tupleTable(report.tuples, report.usable), '');
  }
  lines.push(row('Sysctls', sysctlLine(report)));
  lines.push(row('Source', describeReportSource(report.source)));
  lines.push(row('Thresholds', `warning ${percent(thresholds.warning)}, critical ${percent(thresholds.critical)} of usable ports`));
  for (const w of outcome.warnings) lines.push(row('Warning', w));
  if (outcome.hints.length > 0) {
    lines.push('', 'Hints:');
    for (const h of outcome.hints) lines.push(`  - ${h.message}`);
  }
  if (report.diagnostics) lines.push(...diagnosisLines(report.diagnostics, percent));
  lines.push(
    '',
    'Not visible here: ports taken by bind() before connect() (they look like any connected socket)',
    'and per-socket ranges (IP_LOCAL_PORT_RANGE). Other network namespaces are measured from inside them.',
  );
  return `${lines.join('\n')}\n`;
}

function headline(report: PortReport): string {
  const worst = report.tuples[0];
  const parts: string[] = [];
  if (worst) {
    parts.push(
      `worst tuple ${describeTuple(worst)} at ${percent(worst.pressure)} (${worst.used - worst.reclaimable} of ${report.usable} usable ports blocked)`,
    );
  } else parts.push(report.tupleCount > 0 ? `worst tuple at ${percent(report.pressure)}` : 'no tuple in use');
  if (report.udp.used > 0) parts.push(`UDP pool at ${percent(report.udp.pressure)}`);
  return parts.join(', ');
}

function perfdata(report: PortReport, t: Thresholds): string {
  const r = (n: number) => Number(n.toFixed(4));
  return [
    `pressure=${r(report.pressure)};${r(t.warning)};${r(t.critical)};0;1`,
    `udp_pressure=${r(report.udp.pressure)};${r(t.warning)};${r(t.critical)};0;1`,
    `usable=${report.usable};;;0;${report.capacity}`,
    `host_ports=${report.hostPortsInUse};;;0;${report.capacity}`,
    `tuples=${report.tupleCount}`,
  ].join(' ');
}

function tupleTable(tuples: readonly TupleUsage[], usable: number): string[] {
  const header = ['PRESSURE', 'USED/USABLE', 'TIME_WAIT', 'RECLAIMABLE', 'TUPLE', 'STATES'];
  const rows = tuples.map((t) => [
    percent(t.pressure),
    `${t.used}/${usable}`,
    `${t.timeWait}`,
    `${t.reclaimable}`,
    describeTuple(t),
    states(t.states),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const format = (cells: string[]) =>
    `  ${cells
      .map((cell, i) => (i < 4 ? cell.padStart(widths[i] ?? 0) : i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')}`.trimEnd();
  return [format(header), ...rows.map(format)];
}

function states(counts: StateCounts): string {
  return Object.entries(counts)
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
    .map(([state, n]) => `${state} ${n}`)
    .join(', ');
}

function sysctlLine(report: PortReport): string {
  const s = report.sysctls;
  const reuse = s.tcpTwReuse === 0 ? 'off' : s.tcpTwReuse === 1 ? 'on' : 'loopback only';
  const delay = s.tcpTwReuseDelayMs === null ? 'n/a (1 s fixed)' : `${s.tcpTwReuseDelayMs} ms`;
  return [
    `tcp_tw_reuse=${s.tcpTwReuse} (${reuse}), tcp_tw_reuse_delay=${delay}, tcp_timestamps=${s.tcpTimestamps},`,
    `${' '.repeat(13)}tcp_fin_timeout=${s.tcpFinTimeout} s, tcp_max_tw_buckets=${s.tcpMaxTwBuckets}`,
  ].join('\n');
}

function row(label: string, text: string): string {
  return `${label.padEnd(12)} ${text}`;
}

export function percent(ratio: number): string {
  const value = ratio * 100;
  if (value > 0 && value < 0.1) return '<0.1%';
  const rounded = Number(value.toFixed(1));
  return `${rounded}%`;
}

function plural(n: number): string {
  return n === 1 ? '' : 's';
}
