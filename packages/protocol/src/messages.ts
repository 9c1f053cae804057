import * as z from 'zod';
import { MAX_NAMESPACES_PER_SNAPSHOT } from './agent-constants.ts';
import { namespaceInfoSchema, namespaceInodeSchema } from './namespaces.ts';
import { portReportSchema } from './report.ts';
import { labelsSchema, printableText } from './server-messages.ts';
import { isoTimeSchema } from './wire-primitives.ts';

export * from './server-messages.ts';

/** A host's stable identity: `/etc/machine-id` plus hostname, and the labels its agent is configured with. */
export const hostIdentitySchema = z.object({
  /** Contents of /etc/machine-id (32 hex characters), or another stable id where it is missing: 8-64 of A-Z a-z 0-9 _ -. */
  machineId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'machineId must be 8-64 characters of A-Z a-z 0-9 _ -'),
  /** The kernel's hostname: 1-253 characters, no spaces or control characters. */
  hostname: z
    .string()
    .min(1)
    .max(253)
    .regex(/^[^\s\x00-\x1f\x7f]+$/, 'hostname must not contain spaces or control characters'),
  /** Labels from the agent's configuration (`--label env=prod`); replaced on every hello. */
  labels: labelsSchema.default({}),
});
export type HostIdentity = z.infer<typeof hostIdentitySchema>;

/** Fields shared by `enroll` and `hello`: who is speaking and which protocol version. */
const introduction = {
  /** The agent's PROTOCOL_VERSION (a positive integer); a version newer than the API's is refused. */
  protocolVersion: z.number().int().min(1).max(1_000_000),
  /** The agent's own version string, for display: up to 64 printable characters. */
  agentVersion: printableText(64),
  host: hostIdentitySchema,
};

/**
 * Agent → API, the only frame of an enrollment connection (opened with ENROLLMENT_TOKEN_HEADER):
 * enroll this host. The API answers `enrolled` with a new credential and closes the connection
 * (1000). Enrolling an identity that is already known keeps the host and its history, and revokes
 * its previous credential.
 */
export const enrollSchema = z.object({ type: z.literal('enroll'), ...introduction });
export type Enroll = z.infer<typeof enrollSchema>;

/**
 * Agent → API, first frame of a credential connection. The host is the credential's; `host` must
 * be that host's identity (machineId and hostname), or the connection is closed with FORBIDDEN.
 * Labels and agentVersion are refreshed from it.
 */
export const helloSchema = z.object({ type: z.literal('hello'), ...introduction });
export type Hello = z.infer<typeof helloSchema>;

/** A snapshot sequence number: per host, starting at 1, incremented by one per measurement. */
const seqSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/** Agent → API: one measurement. Acked with `ack` once committed; a resend of a stored seq is acked again and stored once. */
export const snapshotSchema = z.object({
  type: z.literal('snapshot'),
  /** Per-host sequence number (1 … 2^53−1), strictly increasing in the order the agent measured. */
  seq: seqSchema,
  /** When the agent took the measurement (ISO 8601 with time zone, e.g. 2026-11-21T10:00:00.000Z). */
  takenAt: isoTimeSchema,
  report: portReportSchema,
});
export type Snapshot = z.infer<typeof snapshotSchema>;

/** One network namespace other than the agent's own, and its report (measured by the same rules). */
export const namespaceReportSchema = z.object({
  namespace: namespaceInfoSchema,
  report: portReportSchema,
});
export type NamespaceReport = z.infer<typeof namespaceReportSchema>;

/**
 * Agent → API, protocol version 2: one measurement of every network namespace the agent could see.
 * `report` is the agent's own namespace (the host's, stored and shown exactly like a version 1
 * snapshot), `namespace` names it (`host: true`), `namespaces` holds every other namespace measured
 * (`host: false`, distinct inodes), and `skipped` the inodes found but not measured this time for a
 * reason of their own (not gone): the API keeps those as they were instead of marking them gone. A
 * namespace in neither list is gone. An agent without the privilege to enter other namespaces
 * sends empty lists.
 */
export const snapshotV2Schema = snapshotSchema
  .extend({
    namespace: namespaceInfoSchema,
    namespaces: z.array(namespaceReportSchema).max(MAX_NAMESPACES_PER_SNAPSHOT),
    skipped: z.array(namespaceInodeSchema).max(MAX_NAMESPACES_PER_SNAPSHOT),
  })
  .refine((s) => s.namespace.host, { message: "the agent's own namespace must have host: true", path: ['namespace', 'host'] })
  .refine((s) => s.namespaces.every((n) => !n.namespace.host), {
    message: "only the agent's own namespace may have host: true",
    path: ['namespaces'],
  })
  .refine(
    (s) =>
      new Set([s.namespace.inode, ...s.namespaces.map((n) => n.namespace.inode), ...s.skipped]).size ===
      1 + s.namespaces.length + s.skipped.length,
    {
      message: 'every namespace inode (own, measured and skipped) must appear once',
      path: ['namespaces'],
    },
  );
export type SnapshotV2 = z.infer<typeof snapshotV2Schema>;

/**
 * Agent → API: snapshots `fromSeq` … `toSeq` (inclusive) were dropped from the agent's full spool
 * and will never be sent. The API records the gap (visible as `droppedSnapshots` on the host) and
 * answers `gap-ack`. Sent before any later snapshot; a resend with a larger `toSeq` widens the gap.
 */
export const gapSchema = z
  .object({
    type: z.literal('gap'),
    /** First dropped sequence number. */
    fromSeq: seqSchema,
    /** Last dropped sequence number (≥ fromSeq). */
    toSeq: seqSchema,
  })
  .refine((g) => g.fromSeq <= g.toSeq, { message: 'fromSeq must not exceed toSeq', path: ['toSeq'] });
export type Gap = z.infer<typeof gapSchema>;

/** Every frame an agent of protocol version 1 may send. */
export const agentMessageSchema = z.discriminatedUnion('type', [enrollSchema, helloSchema, snapshotSchema, gapSchema]);
/**
 * Every frame an agent of protocol version 2 may send: its snapshots are snapshotV2Schema. Which
 * schema applies is decided by the `protocolVersion` of the connection's hello.
 */
export const agentMessageV2Schema = z.discriminatedUnion('type', [enrollSchema, helloSchema, snapshotV2Schema, gapSchema]);
export type AgentMessage = z.infer<typeof agentMessageSchema> | z.infer<typeof agentMessageV2Schema>;
/** The `type` of every agent frame, for telling an unknown type from a malformed known one. */
export const AGENT_MESSAGE_TYPES: readonly AgentMessage['type'][] = ['enroll', 'hello', 'snapshot', 'gap'];
