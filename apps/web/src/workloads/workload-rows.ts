import type { Workload } from '@portpressure/protocol';

/** The containers of a workload as one line: their names, or short ids where the node knows no name. */
export function containersText(w: Pick<Workload, 'containers'>): string {
  return w.containers.map((c) => c.name ?? c.id.slice(0, 12)).join(', ');
}

/**
 * Workloads whose label, pod, containers, `ip netns` name or host contain every word typed. The
 * order stays the server's: highest pressure first.
 */
export function filterWorkloads(workloads: Workload[], text: string): Workload[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return workloads;
  return workloads.filter((w) => {
    const haystack = [w.label, w.name ?? '', w.pod?.name ?? '', w.pod?.namespace ?? '', containersText(w), w.hostname]
      .join(' ')
      .toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}
