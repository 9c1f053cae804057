import { availableParallelism, endianness } from 'node:os';
import type { NamespaceInfo } from '@portpressure/protocol';
import { collectReport } from '../collect/collect-report.ts';
import type { CollectOptions, CollectResult } from '../collect/collect-report.ts';
import { DEFAULT_DISCOVERY_PATHS, discoverNamespaces } from './discover-namespaces.ts';
import type { DiscoveryPaths } from './discover-namespaces.ts';
import { NamespaceGoneError, measureNamespace } from './measure-namespace.ts';
import type { NamespaceTools } from './measure-namespace.ts';

export interface NamespaceMeasurement {
  namespace: NamespaceInfo;
  result: CollectResult;
}

export interface AllNamespacesResult {
  /** In discovery order, the agent's own namespace first. */
  measured: NamespaceMeasurement[];
  /** Namespaces found but not measured, with why (gone meanwhile, or an error of that namespace alone). */
  skipped: { namespace: NamespaceInfo; reason: string; gone: boolean }[];
  /** Things a person should know, e.g. "not allowed to enter other namespaces". */
  warnings: string[];
}

export const DEFAULT_NAMESPACE_TOOLS: NamespaceTools = {
  nsenterCommand: 'nsenter',
  ssCommand: 'ss',
  littleEndian: endianness() === 'LE',
};

export interface AllNamespacesOptions extends CollectOptions {
  paths?: DiscoveryPaths;
  tools?: NamespaceTools;
  /** Namespaces measured at once (default: the cores available, at most 8). */
  concurrency?: number;
}

/**
 * Measures every network namespace this process can see. The agent's own namespace is measured
 * as always (collectReport; a failure there is the agent's failure and throws); any other is
 * measured from inside by measureNamespace. One namespace failing, or vanishing mid-measurement,
 * is recorded in `skipped` and never stops the others.
 */
export async function collectAllNamespaces(options: AllNamespacesOptions = {}): Promise<AllNamespacesResult> {
  const discovery = discoverNamespaces(options.paths ?? DEFAULT_DISCOVERY_PATHS);
  const tools = options.tools ?? DEFAULT_NAMESPACE_TOOLS;
  const collectOptions: CollectOptions = { source: options.source, maxTuples: options.maxTuples };
  const own = discovery.namespaces.filter((n) => n.info.host);
  const others = discovery.namespaces.filter((n) => !n.info.host);

  const measured: NamespaceMeasurement[] = [];
  const skipped: AllNamespacesResult['skipped'] = [];
  // The diagnosis (processes, churn, conntrack) is the agent's own namespace's.
  for (const ns of own)
    measured.push({ namespace: ns.info, result: await collectReport({ ...collectOptions, diagnoser: options.diagnoser }) });

  // A fixed pool of workers: each namespace is a short process chain, and the cores bound them.
  const concurrency = Math.max(1, options.concurrency ?? Math.min(8, availableParallelism()));
  const results: (NamespaceMeasurement | undefined)[] = new Array(others.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const index = next++;
      const ns = others[index];
      if (ns === undefined) return;
      try {
        results[index] = {
          namespace: ns.info,
          result: await measureNamespace({ path: ns.path, inode: ns.info.inode }, collectOptions, tools),
        };
      } catch (error) {
        const gone = error instanceof NamespaceGoneError;
        skipped.push({ namespace: ns.info, gone, reason: gone ? 'gone while it was measured' : (error as Error).message });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, others.length) }, worker));
  for (const r of results) if (r) measured.push(r);
  return { measured, skipped, warnings: discovery.warnings };
}
