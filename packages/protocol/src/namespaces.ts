import * as z from 'zod';
import { printableText as printable } from './server-messages.ts';

export const CONTAINER_RUNTIMES = ['docker', 'containerd', 'cri-o', 'podman'] as const;

/** A container whose processes live in a network namespace, named from its cgroup path and runtime. */
export const namespaceContainerSchema = z.object({
  /** Null when the cgroup path names a container but not which runtime made it. */
  runtime: z.enum(CONTAINER_RUNTIMES).nullable(),
  /** Full id, 64 hex digits. */
  id: z.string().regex(/^[0-9a-f]{64}$/),
  /** The runtime's or Kubernetes' name for it, when the node records one. */
  name: printable(253).nullable(),
});
export type NamespaceContainer = z.infer<typeof namespaceContainerSchema>;

/** The Kubernetes pod a network namespace belongs to, as far as the node knows it without an API token. */
export const namespacePodSchema = z.object({
  name: printable(253).nullable(),
  namespace: printable(253).nullable(),
  uid: z
    .string()
    .regex(/^[0-9a-f-]{36}$/)
    .nullable(),
});
export type NamespacePod = z.infer<typeof namespacePodSchema>;

/**
 * One network namespace of a host, as the agent found it. `inode` (the nsfs inode, as in
 * `net:[4026531840]`) identifies it while it exists; the kernel may reuse it later.
 */
/** A network namespace's nsfs inode, as in `net:[4026531840]`. */
export const namespaceInodeSchema = z
  .number()
  .int()
  .positive()
  .max(2 ** 53 - 1);

export const namespaceInfoSchema = z.object({
  inode: namespaceInodeSchema,
  /** `ip netns` name (a file under /run/netns), if any. */
  name: printable(255).nullable(),
  /** The agent's own namespace: the host's, when the agent runs with hostNetwork or on the host. */
  host: z.boolean(),
  /** Processes seen in it when it was found. */
  processes: z.number().int().min(0),
  pod: namespacePodSchema.nullable(),
  containers: z.array(namespaceContainerSchema).max(64),
});
export type NamespaceInfo = z.infer<typeof namespaceInfoSchema>;

export { namespaceLabel } from './namespace-label.ts';
