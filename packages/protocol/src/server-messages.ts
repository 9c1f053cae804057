import * as z from 'zod';
import { AGENT_ERROR_CODE_NAMES, HOST_CREDENTIAL_PATTERN } from './agent-constants.ts';

export * from './agent-constants.ts';

// The part of the agent protocol an agent needs at run time (constants, what the API sends, the
// credential and labels), apart from the frames the agent sends: those build the whole report
// schema, and the long-lived agent does not construct schemas it never parses with (zod schemas
// cost memory to build). messages.ts re-exports all of it.

/** A per-host credential: the prefix and 32 random bytes in base64url (43 characters). */
export const hostCredentialSchema = z.string().regex(HOST_CREDENTIAL_PATTERN, 'not a Portpressure host credential');

/** Printable text: no control characters (PostgreSQL text and jsonb cannot hold NUL, logs must stay one line). */
export const printableText = (max: number) =>
  z
    .string()
    .max(max)
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');

/** Printable label keys and values, e.g. `env=prod`: at most 32 labels, keys 1-63 characters, values up to 256. */
export const labelsSchema = z
  .record(z.string().regex(/^[A-Za-z0-9_.\-/]{1,63}$/, 'label keys are 1-63 characters of A-Z a-z 0-9 _ . - /'), printableText(256))
  .refine((l) => Object.keys(l).length <= 32, { message: 'at most 32 labels' });
export type Labels = z.infer<typeof labelsSchema>;

/** API → agent on an enrollment connection: the host's credential. Shown once; the API keeps only its hash. */
export const enrolledSchema = z.object({
  type: z.literal('enrolled'),
  /** The host's id (UUID), stable across re-enrollments of the same identity. */
  hostId: z.uuid(),
  /** Send as `Authorization: Bearer <credential>` on every later connection. */
  credential: hostCredentialSchema,
});
export type Enrolled = z.infer<typeof enrolledSchema>;

/** API → agent: the hello was accepted; the agent may stream. */
export const welcomeSchema = z.object({
  type: z.literal('welcome'),
  /** The host the credential belongs to (UUID). */
  hostId: z.string(),
  /** Highest sequence number already stored for this host (0 when none). */
  lastSeq: z.number().int().min(0),
  /** How often the API expects a snapshot, in seconds (1-3600); three missed intervals mark the host offline. */
  intervalSeconds: z.number().int().min(1),
  /**
   * Frames per second this connection may send on average (bursts up to twice as many); beyond it
   * the API closes with RATE_LIMITED. An agent replaying its spool paces itself by it.
   */
  maxFramesPerSecond: z.number().int().min(1),
});
export type Welcome = z.infer<typeof welcomeSchema>;

/** API → agent: snapshot `seq` is committed to storage (or was already); the agent may forget it. */
export const ackSchema = z.object({ type: z.literal('ack'), seq: z.number().int().min(1) });
export type Ack = z.infer<typeof ackSchema>;

/** API → agent: the gap `fromSeq` … `toSeq` is recorded. */
export const gapAckSchema = z.object({
  type: z.literal('gap-ack'),
  fromSeq: z.number().int().min(1),
  toSeq: z.number().int().min(1),
});
export type GapAck = z.infer<typeof gapAckSchema>;

/** API → agent: a frame was refused. Fatal errors are followed by a close with the code's number. */
export const agentErrorSchema = z.object({
  type: z.literal('error'),
  code: z.enum(AGENT_ERROR_CODE_NAMES),
  /** What was wrong, for people: names the offending field where there is one. */
  message: z.string(),
  /** The sequence number of the refused snapshot, when there is one. */
  seq: z.number().int().optional(),
});
export type AgentError = z.infer<typeof agentErrorSchema>;

/** Every frame the API may send to an agent. */
export const serverMessageSchema = z.discriminatedUnion('type', [enrolledSchema, welcomeSchema, ackSchema, gapAckSchema, agentErrorSchema]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;
