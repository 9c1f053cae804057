import type { AlertChannel, AlertRule, Labels } from '@portpressure/protocol';

// A rule's scope and channels in words; its condition comes from the server, written by its kind.

export function labelsText(labels: Labels): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** "env=prod, team=payments" → labels; throws on a part without "=". */
export function parseLabels(text: string): Labels {
  const labels: Record<string, string> = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`label "${part}" must look like key=value`);
    labels[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return labels;
}

export function scopeText(rule: AlertRule, hostname: (id: string) => string): string {
  const parts: string[] = [];
  if (rule.scope.hostId !== null) parts.push(`host ${hostname(rule.scope.hostId)}`);
  if (Object.keys(rule.scope.labels).length > 0) parts.push(labelsText(rule.scope.labels));
  return parts.length === 0 ? 'all hosts' : parts.join(' and ');
}

export function channelsText(rule: AlertRule, channels: AlertChannel[]): string {
  if (rule.channelIds.length === 0) return 'every enabled channel';
  return rule.channelIds.map((id) => channels.find((c) => c.id === id)?.name ?? 'deleted channel').join(', ');
}
