/**
 * Names people recognise for a network namespace, derived from what a node already has: the
 * cgroup paths of the processes in it, the runtimes' OCI bundle annotations (where the CRI writes
 * the pod's name and namespace), the pod's hostname. Nothing here needs a Kubernetes API token.
 * Pure functions over text, so each rule is tested on the exact strings nodes produce.
 */

export type ContainerRuntime = 'docker' | 'containerd' | 'cri-o' | 'podman';

export interface CgroupWorkload {
  runtime: ContainerRuntime | null;
  /** Full container id (64 hex digits) when the cgroup path names one. */
  containerId: string | null;
  /** Kubernetes pod UID when the path lies under kubepods. */
  podUid: string | null;
}

const ID = '([0-9a-f]{64})';
/**
 * Cgroup leaf names of the runtimes, with the systemd driver ("docker-<id>.scope") and the
 * cgroupfs driver ("/docker/<id>"). Kubernetes' cgroupfs layout puts the bare id under the pod.
 */
const LEAVES: { pattern: RegExp; runtime: ContainerRuntime | null }[] = [
  { pattern: new RegExp(`(?:^|/)docker-${ID}\\.scope$`), runtime: 'docker' },
  { pattern: new RegExp(`(?:^|/)docker/${ID}$`), runtime: 'docker' },
  { pattern: new RegExp(`(?:^|/)cri-containerd-${ID}\\.scope$`), runtime: 'containerd' },
  { pattern: new RegExp(`(?:^|/)crio-(?:conmon-)?${ID}\\.scope$`), runtime: 'cri-o' },
  { pattern: new RegExp(`(?:^|/)libpod-(?:conmon-)?${ID}\\.scope(?:/container)?$`), runtime: 'podman' },
  { pattern: new RegExp(`(?:^|/)libpod/${ID}$`), runtime: 'podman' },
  { pattern: new RegExp(`/kubepods[^\\s]*/pod[0-9a-f_-]{36}/${ID}$`), runtime: null },
];
/** kubepods-besteffort-pod<uid with _>.slice (systemd) or /kubepods/besteffort/pod<uid> (cgroupfs). */
const POD_UID =
  /(?:kubepods[^/]*-pod|\/kubepods(?:\/[a-z]+)?\/pod)([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})/;

/** Reads one cgroup path (a line of /proc/<pid>/cgroup without "0::" or the v1 hierarchy prefix). */
export function workloadFromCgroupPath(path: string): CgroupWorkload {
  const trimmed = path.trim().replace(/\/+$/, '');
  let runtime: ContainerRuntime | null = null;
  let containerId: string | null = null;
  for (const leaf of LEAVES) {
    const match = leaf.pattern.exec(trimmed);
    if (match?.[1]) {
      runtime = leaf.runtime;
      containerId = match[1];
      break;
    }
  }
  const pod = POD_UID.exec(trimmed);
  return { runtime, containerId, podUid: pod?.[1] ? pod[1].replaceAll('_', '-') : null };
}

/**
 * The workload of a process from its whole /proc/<pid>/cgroup: the first line that names a
 * container (cgroup v1 lists one line per hierarchy; v2 has one "0::" line).
 */
export function workloadFromCgroupFile(text: string): CgroupWorkload {
  let best: CgroupWorkload = { runtime: null, containerId: null, podUid: null };
  for (const line of text.split('\n')) {
    const parts = /^\d+:[^:]*:(.*)$/.exec(line);
    if (!parts?.[1]) continue;
    const found = workloadFromCgroupPath(parts[1]);
    if (found.containerId) return found;
    if (found.podUid && !best.podUid) best = found;
  }
  return best;
}

/** What the CRI records about a container in its OCI bundle (config.json annotations). */
export interface CriLabels {
  podName: string | null;
  podNamespace: string | null;
  podUid: string | null;
  containerName: string | null;
  /** The pod's sandbox ("pause") container rather than an application container. */
  sandbox: boolean;
}

/**
 * containerd's CRI plugin writes io.kubernetes.cri.*; CRI-O writes io.kubernetes.*; cri-dockerd's
 * docker labels use io.kubernetes.pod.* too. Returns null when none is there (not a pod).
 */
export function criLabelsFromAnnotations(annotations: Record<string, unknown>): CriLabels | null {
  const text = (...keys: string[]): string | null => {
    for (const key of keys) {
      const value = annotations[key];
      if (typeof value === 'string' && value !== '') return value;
    }
    return null;
  };
  const podName = text('io.kubernetes.cri.sandbox-name', 'io.kubernetes.pod.name');
  const podNamespace = text('io.kubernetes.cri.sandbox-namespace', 'io.kubernetes.pod.namespace');
  if (podName === null && podNamespace === null) return null;
  const type = text('io.kubernetes.cri.container-type', 'io.kubernetes.docker.type', 'io.kubernetes.container.type');
  const containerName = text('io.kubernetes.cri.container-name', 'io.kubernetes.container.name');
  return {
    podName,
    podNamespace,
    podUid: text('io.kubernetes.cri.sandbox-uid', 'io.kubernetes.pod.uid'),
    containerName: containerName === 'POD' ? null : containerName,
    sandbox: type === 'sandbox' || type === 'podsandbox' || containerName === 'POD',
  };
}

/**
 * dockershim and cri-dockerd name containers k8s_<container>_<pod>_<namespace>_<uid>_<attempt>;
 * the sandbox is k8s_POD_…. Pod and namespace names cannot hold "_", so the split is exact.
 */
export function criLabelsFromDockerName(name: string): CriLabels | null {
  const match = /^\/?k8s_([^_]+)_([^_]+)_([^_]+)_([^_]+)_\d+$/.exec(name);
  if (!match) return null;
  const [, container, pod, namespace, uid] = match;
  return {
    podName: pod ?? null,
    podNamespace: namespace ?? null,
    podUid: uid ?? null,
    containerName: container === 'POD' ? null : (container ?? null),
    sandbox: container === 'POD',
  };
}

/**
 * A pod's hostname is its name unless the spec sets `hostname`; with `subdomain` it may be a
 * FQDN, whose first label is the name. Anything that is not a DNS label is not trusted as one.
 */
export function podNameFromHostname(hostname: string): string | null {
  const first = hostname.trim().split('.')[0] ?? '';
  return /^[a-z0-9]([-a-z0-9]{0,251}[a-z0-9])?$/.test(first) ? first : null;
}
