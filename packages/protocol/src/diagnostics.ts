import * as z from 'zod';
import { DIAGNOSIS_LIMITS, KERNEL_COUNTERS, VERDICT_CODES } from './agent-constants.ts';
import { printableText as printable } from './server-messages.ts';
import {
  ipAddressSchema,
  isoTimeSchema,
  MAX_PORT,
  portCountSchema as portCount,
  portSchema as port,
  ratioSchema as ratio,
  remoteEndpointFields,
} from './wire-primitives.ts';

export * from './agent-constants.ts';

/*
 * What an agent reports, next to its port accounting, to say who holds a tuple and what to change:
 * the processes holding each listed tuple's sockets, the connection churn, verdicts with advice,
 * the namespace's conntrack table and SNAT pools, and the kernel's TCP counters that show ports
 * being recycled or lost. It rides in `PortReport.diagnostics`, which is optional: agents that do
 * not diagnose, and reports stored before it existed, simply lack it. docs/diagnosis.md explains
 * each verdict.
 *
 * Every object here is a plain z.object and every list an array (no records), so the ingest fast
 * path (`fast-snapshot.ts`) can check it field by field like the rest of the report.
 */

const counter = z.number().int().min(0).max(DIAGNOSIS_LIMITS.counter);
const rate = z.number().min(0).max(DIAGNOSIS_LIMITS.ratePerSecond);

/** A process holding sockets of one tuple, from the socket inodes behind its file descriptors. */
export const tupleProcessSchema = z.object({
  pid: z.number().int().min(1).max(DIAGNOSIS_LIMITS.pid),
  /** The process's name (`/proc/<pid>/comm`, at most 15 bytes in the kernel, but kept generous). */
  command: printable(64),
  /** The user name when the agent can resolve it, otherwise the numeric uid as text. */
  user: printable(64),
  uid: z.number().int().min(0).max(DIAGNOSIS_LIMITS.uid),
  /** Container id (64 hex digits) when the process's cgroup names one. */
  container: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
  /** Kubernetes pod UID when the process's cgroup lies under kubepods. */
  podUid: z
    .string()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    .nullable(),
  /** Sockets of this tuple (not in TIME_WAIT: those belong to no process) this process holds. */
  sockets: portCount,
});
export type TupleProcess = z.infer<typeof tupleProcessSchema>;

export const verdictCodeSchema = z.enum(VERDICT_CODES);
export type VerdictCode = z.infer<typeof verdictCodeSchema>;

/** A short conclusion drawn from the data, and the concrete changes that address it. */
export const verdictSchema = z.object({
  code: verdictCodeSchema,
  /** One line with the figures, e.g. "churn without pooling: 900 new connections/s, 95 % TIME_WAIT". */
  text: printable(DIAGNOSIS_LIMITS.text).min(1),
  advice: z.array(printable(DIAGNOSIS_LIMITS.text).min(1)).max(DIAGNOSIS_LIMITS.advicePerVerdict),
});
export type Verdict = z.infer<typeof verdictSchema>;

/**
 * Connection churn of one tuple, from this snapshot and the previous one. Rates are null on the
 * first snapshot (nothing to compare with).
 */
export const tupleChurnSchema = z.object({
  /** New connections per second since the previous snapshot (sockets that were not there before). */
  newPerSecond: rate.nullable(),
  /** Sockets entering TIME_WAIT per second since the previous snapshot. */
  timeWaitInflowPerSecond: rate.nullable(),
  /** timeWait / used of this tuple now (0 when used is 0). */
  timeWaitShare: ratio,
});
export type TupleChurn = z.infer<typeof tupleChurnSchema>;

/** The diagnosis of one listed tuple, named by the same key as in `report.tuples`. */
export const tupleDiagnosisSchema = z.object({
  localAddress: ipAddressSchema,
  ...remoteEndpointFields,
  /**
   * The processes holding this tuple's sockets, most sockets first, as of `attributedAt`
   * (attribution is periodic; between two, a tuple keeps what the last one found); null when the
   * tuple was not yet listed at the last attribution.
   */
  processes: z.array(tupleProcessSchema).max(DIAGNOSIS_LIMITS.processesPerTuple).nullable(),
  /** Sockets of this tuple not in TIME_WAIT whose process was not found (exited, beyond the 10 listed, or outside the agent's view). */
  unattributedSockets: portCount,
  churn: tupleChurnSchema,
  verdicts: z.array(verdictSchema).max(DIAGNOSIS_LIMITS.verdicts),
});
export type TupleDiagnosis = z.infer<typeof tupleDiagnosisSchema>;

/**
 * The namespace's conntrack table: `nf_conntrack_count`/`nf_conntrack_max` and the per-CPU
 * statistics summed (`/proc/net/stat/nf_conntrack`). Deltas are since the previous snapshot and
 * null on the first one.
 */
export const conntrackSchema = z.object({
  count: counter,
  max: counter,
  insertFailed: counter.nullable(),
  drop: counter.nullable(),
  earlyDrop: counter.nullable(),
});
export type Conntrack = z.infer<typeof conntrackSchema>;

/** One SNAT pool: translated source ports in use toward one destination. */
export const snatPoolSchema = z.object({
  /** The source address after translation (the masquerading interface's address). */
  translatedAddress: ipAddressSchema,
  ...remoteEndpointFields,
  /** Distinct translated source ports of conntrack entries of this pool. */
  portsInUse: portCount,
  /** Ports of the NAT port range: the rule's (`--to-ports`, `masquerade to :A-B`), or 64,512 (1024-65535, what the kernel picks from) when it gives none. */
  capacity: z.number().int().min(1).max(MAX_PORT),
  pressure: ratio,
});
export type SnatPool = z.infer<typeof snatPoolSchema>;

/** Source NAT in a namespace that masquerades: the rules' port range and the pools in use. */
export const snatSchema = z.object({
  /** The narrowest port range of the MASQUERADE/SNAT rules, or null when they give none (the kernel then keeps ports or picks from 1024-65535). */
  portRange: z
    .object({ low: port, high: port })
    .refine((r) => r.low <= r.high, { message: 'portRange.low must not exceed portRange.high' })
    .nullable(),
  /** Pools, fullest first. */
  pools: z.array(snatPoolSchema).max(DIAGNOSIS_LIMITS.snatPools),
  /** All pools seen, including those not listed. */
  poolCount: counter,
});
export type Snat = z.infer<typeof snatSchema>;

export const kernelCounterNameSchema = z.enum(KERNEL_COUNTERS);
export type KernelCounterName = z.infer<typeof kernelCounterNameSchema>;

/** One counter's increase since the previous snapshot. */
export const kernelCounterDeltaSchema = z.object({
  name: kernelCounterNameSchema,
  delta: counter,
});
export type KernelCounterDelta = z.infer<typeof kernelCounterDeltaSchema>;

/**
 * The diagnosis of one network namespace at one snapshot. Optional in `PortReport`: old agents do
 * not send it and old reports do not have it.
 */
export const diagnosticsSchema = z.object({
  /** Seconds since the previous snapshot the rates and deltas compare with; null on the first. */
  intervalSeconds: z.number().min(0).max(86_400).nullable(),
  /** When the processes were last attributed (ISO 8601); null when never. */
  attributedAt: isoTimeSchema.nullable(),
  /** The worst tuples of `report.tuples`, in its order. */
  tuples: z.array(tupleDiagnosisSchema).max(DIAGNOSIS_LIMITS.tuples),
  /** Verdicts about the namespace as a whole (listeners in range, host-wide ports, conntrack, SNAT, kernel). */
  verdicts: z.array(verdictSchema).max(DIAGNOSIS_LIMITS.verdicts),
  /** Null when the namespace has no conntrack table (module not loaded). */
  conntrack: conntrackSchema.nullable(),
  /** Null when the namespace does not masquerade (no MASQUERADE or SNAT rule found). */
  snat: snatSchema.nullable(),
  /** Deltas of the kernel counters since the previous snapshot; empty on the first. */
  kernel: z.array(kernelCounterDeltaSchema).max(KERNEL_COUNTERS.length),
});
export type Diagnostics = z.infer<typeof diagnosticsSchema>;
