import { namespaceLabel } from '@portpressure/protocol/namespace-label';
import type { NamespaceInfo } from '@portpressure/protocol';
import { CollectError } from '../collect/index.ts';
import type { CollectOptions } from '../collect/index.ts';
import type { AllNamespacesResult } from '../namespaces/collect-all-namespaces.ts';
import type { CheckArgs } from './check-args.ts';
import { EXIT_CODES, checkedPressure } from './check-status.ts';
import { checkJsonObject, checkText, judgeReport } from './format-check.ts';
import { failedCheckPrometheus } from './format-prometheus.ts';
import { checkPrometheusAllNamespaces } from './format-prometheus-namespaces.ts';
import { collectorSource } from '../socket-source.ts';

/**
 * `check --all-namespaces`: one verdict per network namespace, worst first, and the exit code of
 * the worst. A namespace that vanished or failed alone is listed as skipped and does not change
 * the exit code: it is not this host's state any more, and the others were measured.
 */
export async function checkAllNamespaces(
  args: CheckArgs,
  collectAll: (options: CollectOptions) => Promise<AllNamespacesResult>,
  emit: (text: string) => Promise<boolean>,
): Promise<number> {
  let all: AllNamespacesResult;
  try {
    all = await collectAll({ source: collectorSource(args.source), maxTuples: args.top });
  } catch (error) {
    const code = error instanceof CollectError ? error.code : 'INTERNAL';
    const message = error instanceof Error ? error.message : String(error);
    if (args.format === 'json')
      await emit(
        `${JSON.stringify({ status: 'UNKNOWN', exitCode: EXIT_CODES.UNKNOWN, error: { code, message }, namespaces: [] }, null, 2)}\n`,
      );
    else if (args.format === 'prometheus') await emit(failedCheckPrometheus());
    else await emit(`PORTPRESSURE UNKNOWN - cannot measure this host: ${message} [${code}]\n`);
    return EXIT_CODES.UNKNOWN;
  }

  const thresholds = { warning: args.warning, critical: args.critical };
  const sections = all.measured
    .map(({ namespace, result }) => ({ namespace, outcome: judgeReport(result, thresholds) }))
    .sort(
      (a, b) =>
        b.outcome.exitCode - a.outcome.exitCode ||
        checkedPressure(b.outcome.report) - checkedPressure(a.outcome.report) ||
        a.namespace.inode - b.namespace.inode,
    );
  const exitCode = sections[0]?.outcome.exitCode ?? EXIT_CODES.UNKNOWN;
  const skipped = all.skipped.map((s) => ({ namespace: s.namespace, gone: s.gone, reason: s.reason }));

  let text: string;
  if (args.format === 'prometheus') text = checkPrometheusAllNamespaces(sections);
  else if (args.format === 'json') {
    text = `${JSON.stringify(
      {
        status: sections[0]?.outcome.status ?? 'UNKNOWN',
        exitCode,
        namespaces: sections.map((s) => ({ namespace: s.namespace, report: checkJsonObject(s.outcome) })),
        skipped,
        warnings: all.warnings,
      },
      null,
      2,
    )}\n`;
  } else {
    const parts: string[] = [];
    const worst = sections[0];
    parts.push(
      `PORTPRESSURE ${worst?.outcome.status ?? 'UNKNOWN'} - ${sections.length} network namespace${sections.length === 1 ? '' : 's'} measured${worst ? `, worst: ${namespaceLabel(worst.namespace)}` : ''}`,
    );
    for (const w of all.warnings) parts.push(`Warning: ${w}`);
    for (const s of skipped) parts.push(`Skipped: ${namespaceLabel(s.namespace)} (inode ${s.namespace.inode}): ${s.reason}`);
    for (const s of sections) {
      parts.push('', `=== ${sectionTitle(s.namespace)} ===`, checkText(s.outcome).trimEnd());
    }
    text = `${parts.join('\n')}\n`;
  }
  if (!(await emit(text))) return EXIT_CODES.UNKNOWN;
  return exitCode;
}

function sectionTitle(ns: NamespaceInfo): string {
  const details = [`inode ${ns.inode}`];
  if (ns.name) details.push(`ip netns ${ns.name}`);
  for (const c of ns.containers.slice(0, 4)) details.push(`${c.runtime ?? 'container'} ${c.name ?? c.id.slice(0, 12)}`);
  if (ns.containers.length > 4) details.push(`${ns.containers.length - 4} more containers`);
  details.push(`${ns.processes} process${ns.processes === 1 ? '' : 'es'}`);
  return `${namespaceLabel(ns)} (${details.join(', ')})`;
}
