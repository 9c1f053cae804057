import { readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { NamespaceContainer, NamespaceInfo, NamespacePod } from '@portpressure/protocol';
import { errnoCode } from '../collect/collect-error.ts';
import { criLabelsFromAnnotations, criLabelsFromDockerName, podNameFromHostname, workloadFromCgroupFile } from './describe-workload.ts';
import type { CriLabels } from './describe-workload.ts';

/** Where namespaces and their names are looked for; the defaults are a node's real places. */
export interface DiscoveryPaths {
  proc: string;
  /** `ip netns` names; a file here is a bind mount of a namespace. */
  namedDirs: string[];
  /** Runtimes' own namespace files (Docker keeps its sandboxes' here, not under /run/netns). */
  runtimeDirs: string[];
  /** OCI bundles of containerd and CRI-O, where the CRI writes the pod's name and namespace. */
  bundleDirs: string[];
  /** Docker's container configs (config.v2.json has the name and labels). */
  dockerContainersDir: string;
}

export const DEFAULT_DISCOVERY_PATHS: DiscoveryPaths = {
  proc: '/proc',
  namedDirs: ['/run/netns', '/var/run/netns'],
  runtimeDirs: ['/run/docker/netns', '/var/run/docker/netns'],
  bundleDirs: [
    '/run/containerd/io.containerd.runtime.v2.task/k8s.io',
    '/run/containerd/io.containerd.runtime.v2.task/moby',
    '/run/containers/storage/overlay-containers',
  ],
  dockerContainersDir: '/var/lib/docker/containers',
};

/** Processes per namespace whose cgroup is read to name it: a pod has a few, the host thousands. */
const PIDS_DESCRIBED = 16;

export interface FoundNamespace {
  info: NamespaceInfo;
  /** A file that opens it for nsenter. */
  path: string;
}

export interface Discovery {
  namespaces: FoundNamespace[];
  /** Plain words about what could not be seen, e.g. no privilege to look into other namespaces. */
  warnings: string[];
  /** Whether this process may enter other namespaces at all (CAP_SYS_ADMIN). */
  canEnter: boolean;
}

/** CAP_SYS_ADMIN (21) lets setns(2) enter a namespace; CAP_SYS_PTRACE (19) lets it see other users' /proc/<pid>/ns. */
const CAP_SYS_ADMIN = 21n;
const CAP_SYS_PTRACE = 19n;

/**
 * Finds every network namespace on the host: those of running processes (/proc/<pid>/ns/net),
 * the named ones (/run/netns), and runtimes' namespace files, which may have no process (a pod
 * sandbox between restarts). Each is listed once, by inode. Without the privilege to enter other
 * namespaces only the agent's own is returned, with a warning that says so.
 */
export function discoverNamespaces(paths: DiscoveryPaths = DEFAULT_DISCOVERY_PATHS): Discovery {
  const warnings: string[] = [];
  const ownPath = join(paths.proc, 'self/ns/net');
  const own = statSync(ownPath);
  const nsfsDev = own.dev;
  const byInode = new Map<number, { path: string; pids: number[]; names: string[] }>();
  const entry = (inode: number, path: string) => {
    let found = byInode.get(inode);
    if (!found) byInode.set(inode, (found = { path, pids: [], names: [] }));
    return found;
  };
  entry(own.ino, ownPath);

  const caps = effectiveCapabilities(paths.proc);
  const canEnter = caps === null ? process.getuid?.() === 0 : (caps & (1n << CAP_SYS_ADMIN)) !== 0n;
  const canSeeAll = caps === null ? process.getuid?.() === 0 : (caps & (1n << CAP_SYS_PTRACE)) !== 0n;

  let denied = 0;
  for (const name of safeReaddir(paths.proc)) {
    if (!/^\d+$/.test(name)) continue;
    const path = join(paths.proc, name, 'ns/net');
    let link: string;
    try {
      link = readlinkSync(path);
    } catch (error) {
      // ENOENT: the process exited meanwhile (or is a kernel thread); EACCES: not ours to see.
      if (errnoCode(error) === 'EACCES') denied++;
      continue;
    }
    const inode = Number(/^net:\[(\d+)\]$/.exec(link)?.[1]);
    if (!Number.isSafeInteger(inode)) continue;
    entry(inode, path).pids.push(Number(name));
  }

  for (const [dirs, named] of [
    [paths.namedDirs, true],
    [paths.runtimeDirs, false],
  ] as const) {
    for (const dir of dirs) {
      for (const file of safeReaddir(dir)) {
        const path = join(dir, file);
        let stat;
        try {
          stat = statSync(path);
        } catch {
          continue;
        }
        // A file that is not a bind mount of nsfs is a leftover of a deleted namespace.
        if (stat.dev !== nsfsDev) continue;
        const found = byInode.get(stat.ino);
        const target = found ?? entry(stat.ino, path);
        // A bind mount keeps the namespace open even after its processes exit: prefer it for nsenter.
        if (!found || target.path.startsWith(paths.proc)) target.path = path;
        if (named && !target.names.includes(file)) target.names.push(file);
      }
    }
  }

  if (!canEnter) {
    warnings.push(
      "not allowed to enter other network namespaces (needs root, or CAP_SYS_ADMIN and CAP_SYS_PTRACE): only the agent's own namespace is measured",
    );
  } else if (!canSeeAll && denied > 0) {
    warnings.push(`${denied} processes' namespaces could not be read (needs CAP_SYS_PTRACE): namespaces only they hold are not measured`);
  }

  const namespaces: FoundNamespace[] = [];
  for (const [inode, found] of byInode) {
    const isOwn = inode === own.ino;
    if (!isOwn && !canEnter) continue;
    namespaces.push({ path: found.path, info: describeNamespace(inode, isOwn, found.pids, found.names, paths) });
  }
  return { namespaces, warnings, canEnter };
}

function describeNamespace(inode: number, host: boolean, pids: number[], names: string[], paths: DiscoveryPaths): NamespaceInfo {
  const containers = new Map<string, NamespaceContainer>();
  let pod: NamespacePod | null = null;
  let hostname: string | null = null;
  if (!host) {
    for (const pid of pids.slice(0, PIDS_DESCRIBED)) {
      const cgroup = readText(join(paths.proc, String(pid), 'cgroup'));
      if (cgroup === null) continue;
      const workload = workloadFromCgroupFile(cgroup);
      if (workload.podUid && !pod) pod = { name: null, namespace: null, uid: workload.podUid };
      if (workload.containerId && !containers.has(workload.containerId)) {
        const labels = criLabelsFor(workload.containerId, paths);
        if (labels && (labels.podName || labels.podNamespace)) {
          pod = { name: labels.podName, namespace: labels.podNamespace, uid: labels.podUid ?? pod?.uid ?? null };
        }
        if (labels?.sandbox) continue;
        containers.set(workload.containerId, {
          runtime: workload.runtime,
          id: workload.containerId,
          name: labels?.containerName ?? dockerName(workload.containerId, paths),
        });
      }
      // kubelet bind-mounts the pod's hostname file as /etc/hostname: the pod name unless the spec overrides it.
      hostname ??= readText(join(paths.proc, String(pid), 'root/etc/hostname'));
    }
    if (pod && pod.name === null && hostname !== null) pod = { ...pod, name: podNameFromHostname(hostname) };
    if (pod && pod.namespace === null && pids[0] !== undefined) {
      // A pod with a service account has its namespace's name beside the token; only the name file is read.
      const namespace = readText(join(paths.proc, String(pids[0]), 'root/var/run/secrets/kubernetes.io/serviceaccount/namespace'));
      if (namespace !== null && /^[a-z0-9-]{1,63}$/.test(namespace.trim())) pod = { ...pod, namespace: namespace.trim() };
    }
  }
  return {
    inode,
    name: names.sort()[0] ?? null,
    host,
    processes: pids.length,
    pod,
    containers: [...containers.values()].slice(0, 64),
  };
}

/** The CRI's annotations for a container, from its OCI bundle, or its docker name. */
function criLabelsFor(id: string, paths: DiscoveryPaths): CriLabels | null {
  for (const dir of paths.bundleDirs) {
    for (const file of [join(dir, id, 'config.json'), join(dir, id, 'userdata/config.json')]) {
      const text = readText(file);
      if (text === null) continue;
      try {
        const config = JSON.parse(text) as { annotations?: Record<string, unknown> };
        const labels = config.annotations ? criLabelsFromAnnotations(config.annotations) : null;
        if (labels) return labels;
      } catch {
        // A bundle being written: no names this time.
      }
    }
  }
  const docker = dockerConfig(id, paths);
  if (docker === null) return null;
  return (docker.labels ? criLabelsFromAnnotations(docker.labels) : null) ?? criLabelsFromDockerName(docker.name ?? '');
}

function dockerName(id: string, paths: DiscoveryPaths): string | null {
  const name = dockerConfig(id, paths)?.name;
  return name ? name.replace(/^\//, '') : null;
}

function dockerConfig(id: string, paths: DiscoveryPaths): { name?: string; labels?: Record<string, unknown> } | null {
  const text = readText(join(paths.dockerContainersDir, id, 'config.v2.json'));
  if (text === null) return null;
  try {
    const config = JSON.parse(text) as { Name?: unknown; Config?: { Labels?: Record<string, unknown> } };
    return { name: typeof config.Name === 'string' ? config.Name : undefined, labels: config.Config?.Labels ?? undefined };
  } catch {
    return null;
  }
}

/** CapEff of this process, or null where /proc does not say. */
function effectiveCapabilities(proc: string): bigint | null {
  const status = readText(join(proc, 'self/status'));
  const hex = status === null ? undefined : /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  return hex === undefined ? null : BigInt(`0x${hex}`);
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The entries of a /proc folder, or none when it is gone (the process exited) or not ours to read. */
export function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
