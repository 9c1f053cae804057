import { describeTuple } from '@portpressure/domain';
import type { Diagnostics, TupleProcess, Verdict } from '@portpressure/protocol';

/** Shown for at most this many tuples in text; `--json` has them all. */
const TEXT_TUPLES = 5;
const TEXT_POOLS = 5;

/** The diagnosis section of `check`'s text output. */
export function diagnosisLines(d: Diagnostics, percent: (ratio: number) => string): string[] {
  const window = d.intervalSeconds === null ? 'one measurement, no rates' : `churn over ${d.intervalSeconds.toFixed(1)} s`;
  const lines = ['', `Diagnosis (${window}):`];
  for (const t of d.tuples.slice(0, TEXT_TUPLES)) {
    lines.push(`  ${describeTuple(t)}`);
    lines.push(field('processes', processes(t.processes, t.unattributedSockets)));
    const { newPerSecond, timeWaitInflowPerSecond, timeWaitShare } = t.churn;
    lines.push(
      field(
        'churn',
        newPerSecond === null || timeWaitInflowPerSecond === null
          ? `${percent(timeWaitShare)} TIME_WAIT`
          : `${rate(newPerSecond)} new connections/s, ${rate(timeWaitInflowPerSecond)}/s entering TIME_WAIT, ${percent(timeWaitShare)} TIME_WAIT`,
      ),
    );
    lines.push(...verdicts(t.verdicts));
  }
  if (d.tuples.length > TEXT_TUPLES) lines.push(`  … ${d.tuples.length - TEXT_TUPLES} more tuples diagnosed (--json lists them)`);
  if (d.verdicts.length > 0) lines.push('  This namespace:', ...verdicts(d.verdicts));
  if (d.conntrack) {
    const c = d.conntrack;
    const since =
      c.insertFailed === null
        ? ''
        : `; since the first measurement ${c.insertFailed} insert failures, ${c.drop ?? 0} drops, ${c.earlyDrop ?? 0} early drops`;
    lines.push(field('conntrack', `${c.count} of ${c.max} entries${since}`));
  }
  if (d.snat) {
    const range = d.snat.portRange ? `${d.snat.portRange.low}-${d.snat.portRange.high}` : 'none given (1024-65535)';
    lines.push(field('SNAT', `masquerading, NAT port range ${range}, ${d.snat.poolCount} pool${d.snat.poolCount === 1 ? '' : 's'}`));
    for (const p of d.snat.pools.slice(0, TEXT_POOLS)) {
      const pool = describeTuple({ localAddress: p.translatedAddress, remoteAddress: p.remoteAddress, remotePort: p.remotePort });
      lines.push(field('', `${pool}: ${p.portsInUse} of ${p.capacity} ports (${percent(p.pressure)})`));
    }
  }
  const moved = d.kernel.filter((k) => k.delta > 0);
  if (d.kernel.length > 0)
    lines.push(field('kernel', moved.length === 0 ? 'no counter moved' : moved.map((k) => `${k.name} +${k.delta}`).join(', ')));
  return lines;
}

function field(label: string, text: string): string {
  return `    ${label.padEnd(10)} ${text}`;
}

function processes(list: TupleProcess[] | null, unattributed: number): string {
  if (list === null) return 'not attributed yet';
  const shown = list.map((p) => {
    const where = p.container ? `, container ${p.container.slice(0, 12)}` : p.podUid ? `, pod ${p.podUid}` : '';
    return `${p.command} (pid ${p.pid}, ${p.user}${where}) ${p.sockets} socket${p.sockets === 1 ? '' : 's'}`;
  });
  if (unattributed > 0) shown.push(`${unattributed} socket${unattributed === 1 ? '' : 's'} of no process found`);
  return shown.length === 0 ? 'none (only TIME_WAIT entries, which belong to no process)' : shown.join('; ');
}

function verdicts(list: Verdict[]): string[] {
  return list.flatMap((v) => [field('verdict', v.text), ...v.advice.map((a) => field('', `→ ${a}`))]);
}

function rate(perSecond: number): string {
  return perSecond >= 10 ? String(Math.round(perSecond)) : perSecond.toFixed(1);
}
