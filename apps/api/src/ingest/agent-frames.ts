import {
  AGENT_MESSAGE_TYPES,
  agentMessageSchema,
  agentMessageV2Schema,
  isValidSnapshotFast,
  isValidSnapshotV2Fast,
  type AgentMessage,
} from '@portpressure/protocol';
import { IngestError } from './ingest.errors.ts';

const KNOWN_TYPES = new Set<string>(AGENT_MESSAGE_TYPES);

function describeIssues(issues: { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join('.') || '(frame)'}: ${i.message}`)
    .join('; ');
}

/**
 * Parses and validates one text frame from an agent, or throws an IngestError saying what is wrong.
 * `protocolVersion` is the connection's (its hello's; 1 before the hello): from version 2 a
 * snapshot carrying `namespace` is checked as a version 2 snapshot; one without it (left in the
 * agent's spool by an older version) is a version 1 snapshot and changes no namespace.
 */
export function parseAgentFrame(text: string, protocolVersion = 1): AgentMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new IngestError('INVALID_JSON', 'frame is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new IngestError('INVALID_FRAME', 'frame must be a JSON object with a "type"');
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) {
    throw new IngestError('UNKNOWN_TYPE', `unknown frame type ${JSON.stringify(type ?? null).slice(0, 40)}`);
  }
  // The hot path: a snapshot zod would accept and hand back unchanged is used as parsed, without
  // zod's deep copy. Anything else (invalid, or carrying keys zod strips) goes through zod.
  const v2 = type === 'snapshot' && protocolVersion >= 2 && Object.hasOwn(value, 'namespace');
  if (v2 && isValidSnapshotV2Fast(value)) return value;
  if (!v2 && type === 'snapshot' && isValidSnapshotFast(value)) return value;
  const parsed = (v2 ? agentMessageV2Schema : agentMessageSchema).safeParse(value);
  if (!parsed.success) {
    const seq = (value as { seq?: unknown }).seq;
    throw new IngestError(
      'INVALID_FRAME',
      `invalid ${type}: ${describeIssues(parsed.error.issues)}`,
      false,
      // Naming the refused snapshot lets the agent drop it instead of resending it forever.
      type === 'snapshot' && Number.isSafeInteger(seq) && (seq as number) >= 1 ? (seq as number) : undefined,
    );
  }
  return parsed.data;
}
