/**
 * Prometheus metric families Portpressure exposes per tuple and per measured namespace, shared by
 * the API's /metrics and the agent's `check --format prometheus` (node_exporter's textfile
 * collector), so a dashboard or alert rule works on either source. Names follow Prometheus
 * conventions: snake_case, base units, `_ratio` for 0…1, `_ports` for counts of ports.
 */
export interface MetricFamily {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
}

/** Labels that identify a tuple (a destination as the kernel allocates ports for it). */
export const TUPLE_LABELS = ['protocol', 'local_address', 'remote_address', 'remote_port'] as const;

export const TUPLE_METRICS = {
  used: {
    name: 'portpressure_tuple_used_ports',
    help: 'Local ports of the ephemeral range held by client sockets of this tuple.',
    type: 'gauge',
  },
  timeWait: { name: 'portpressure_tuple_time_wait_ports', help: 'Part of the used ports in TIME_WAIT.', type: 'gauge' },
  reclaimable: {
    name: 'portpressure_tuple_reclaimable_ports',
    help: 'Part of the TIME_WAIT ports connect() may recycle now.',
    type: 'gauge',
  },
  pressure: { name: 'portpressure_tuple_pressure_ratio', help: '(used - reclaimable) / usable for this tuple.', type: 'gauge' },
} as const satisfies Record<string, MetricFamily>;

/** Figures of the whole measured namespace (the agent's textfile; the API adds host labels). */
export const REPORT_METRICS = {
  pressure: { name: 'portpressure_pressure_ratio', help: 'Pressure of the worst tuple: (used - reclaimable) / usable.', type: 'gauge' },
  usable: {
    name: 'portpressure_usable_ports',
    help: 'Ports of the ephemeral range a connect() can get: capacity minus listeners.',
    type: 'gauge',
  },
  capacity: { name: 'portpressure_capacity_ports', help: 'Ports of the ephemeral range minus reserved ports.', type: 'gauge' },
  tuples: { name: 'portpressure_tuples', help: 'Distinct tuples seen, including those not listed.', type: 'gauge' },
  udpUsed: { name: 'portpressure_udp_used_ports', help: 'UDP ports of the ephemeral range in use.', type: 'gauge' },
} as const satisfies Record<string, MetricFamily>;

/** Escapes a label value for the text format: backslash, double quote and newline. */
function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A sample value as the text format writes it (Go's spelling of the special values). */
function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** One family in the text exposition format: HELP, TYPE, then its samples (none: the family is left out). */
export function renderFamily(family: MetricFamily, samples: readonly Sample[]): string {
  if (samples.length === 0) return '';
  const lines = [
    `# HELP ${family.name} ${family.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`,
    `# TYPE ${family.name} ${family.type}`,
  ];
  for (const s of samples) {
    const entries = Object.entries(s.labels);
    const labels = entries.length === 0 ? '' : `{${entries.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
    lines.push(`${family.name}${labels} ${formatSampleValue(s.value)}`);
  }
  return `${lines.join('\n')}\n`;
}
