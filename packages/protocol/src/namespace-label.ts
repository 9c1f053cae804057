import type { NamespaceInfo } from './namespaces.ts';

// In a module of its own, without zod, for the agent's `check` command (see agent-constants.ts).

/** A short name for people: the pod, else the container, else the netns name, else the inode. */
export function namespaceLabel(ns: NamespaceInfo): string {
  if (ns.host) return 'host';
  if (ns.pod?.name) return `pod ${ns.pod.namespace ? `${ns.pod.namespace}/` : ''}${ns.pod.name}`;
  const container = ns.containers.find((c) => c.name) ?? ns.containers[0];
  if (container) return `${container.runtime ?? 'container'} ${container.name ?? container.id.slice(0, 12)}`;
  if (ns.name) return `netns ${ns.name}`;
  return `netns [${ns.inode}]`;
}
