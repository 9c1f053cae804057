import { z } from 'zod';
import { portReportSchema } from './report.ts';

/**
 * Version of the agent ↔ API exchange. An agent announces it in its `hello`; the API refuses
 * versions it does not know (close code UNSUPPORTED_VERSION) rather than guessing.
 */
export const PROTOCOL_VERSION = 1;

/** WebSocket path, on the API's HTTP port, where agents connect. */
export const AGENT_WS_PATH = '/ws/agent';
/** WebSocket path where browsers receive live updates. */
export const LIVE_WS_PATH = '/ws/live';
/** Largest frame the API accepts from an agent, in bytes. */
export const MAX_AGENT_FRAME_BYTES = 1024 * 1024;

/** Printable label keys and values, e.g. `env=prod`. */
export const labelsSchema = z
  .record(
    z.string().regex(/^[A-Za-z0-9_.\-/]{1,63}$/, 'label keys are 1-63 characters of A-Z a-z 0-9 _ . - /'),
    z.string().max(256),
  )
  .refine((l) => Object.keys(l).length <= 32, { message: 'at most 32 labels' });
export type Labels = z.infer<typeof labelsSchema>;

/** A host's stable identity: `/etc/machine-id` plus hostname. */
export const hostIdentitySchema = z.object({
  /** Contents of /etc/machine-id (32 hex characters), or another stable id where it is missing. */
  machineId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'machineId must be 8-64 characters of A-Z a-z 0-9 _ -'),
  hostname: z.string().min(1).max(253).regex(/^[^\s\x00-\x1f]+$/, 'hostname must not contain spaces or control characters'),
  labels: labelsSchema.default({}),
});
export type HostIdentity = z.infer<typeof hostIdentitySchema>;

/** Agent → API, first frame: who is speaking and which protocol version. */
export const helloSchema = z.object({
  type: z.literal('hello'),
  protocolVersion: z.number().int().min(1),
  /** The agent's own version string, for display. */
  agentVersion: z.string().max(64),
  host: hostIdentitySchema,
});
export type Hello = z.infer<typeof helloSchema>;

/** Agent → API: one measurement. */
export const snapshotSchema = z.object({
  type: z.literal('snapshot'),
  /** Per-host sequence number, strictly increasing; the API stores each one once. */
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  /** When the agent took the measurement (ISO 8601 with time zone). */
  takenAt: z.iso.datetime({ offset: true }),
  report: portReportSchema,
});
export type Snapshot = z.infer<typeof snapshotSchema>;

/** Every frame an agent may send. */
export const agentMessageSchema = z.discriminatedUnion('type', [helloSchema, snapshotSchema]);
export type AgentMessage = z.infer<typeof agentMessageSchema>;

/** API → agent: the hello was accepted. */
export const welcomeSchema = z.object({
  type: z.literal('welcome'),
  hostId: z.string(),
  /** Highest sequence number already stored for this host (0 when none). */
  lastSeq: z.number().int().min(0),
  /** How often the API expects a snapshot, in seconds. */
  intervalSeconds: z.number().int().min(1),
});
export type Welcome = z.infer<typeof welcomeSchema>;

/** API → agent: snapshot `seq` is committed to storage. */
export const ackSchema = z.object({ type: z.literal('ack'), seq: z.number().int().min(1) });
export type Ack = z.infer<typeof ackSchema>;

/** Error codes the API sends in `error` frames and as WebSocket close reasons. */
export const AGENT_ERROR_CODES = {
  INVALID_JSON: 4400,
  UNAUTHORIZED: 4401,
  FORBIDDEN: 4403,
  UNKNOWN_TYPE: 4405,
  HELLO_REQUIRED: 4406,
  FRAME_TOO_LARGE: 4413,
  BINARY_FRAME: 4415,
  INVALID_FRAME: 4422,
  UNSUPPORTED_VERSION: 4426,
  RATE_LIMITED: 4429,
  INTERNAL: 4500,
} as const;
export type AgentErrorCode = keyof typeof AGENT_ERROR_CODES;

/** API → agent: a frame was refused. Fatal errors are followed by a close with the same code. */
export const agentErrorSchema = z.object({
  type: z.literal('error'),
  code: z.enum(Object.keys(AGENT_ERROR_CODES) as [AgentErrorCode, ...AgentErrorCode[]]),
  message: z.string(),
  /** The sequence number of the refused snapshot, when there is one. */
  seq: z.number().int().optional(),
});
export type AgentError = z.infer<typeof agentErrorSchema>;

/** Every frame the API may send to an agent. */
export const serverMessageSchema = z.discriminatedUnion('type', [welcomeSchema, ackSchema, agentErrorSchema]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;
