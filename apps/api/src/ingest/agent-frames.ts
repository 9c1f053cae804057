import { AGENT_MESSAGE_TYPES, agentMessageSchema, isValidSnapshotFast, type AgentMessage } from '@portpressure/protocol';
import { IngestError } from './ingest.errors.ts';

const KNOWN_TYPES = new Set<string>(AGENT_MESSAGE_TYPES);

function describeIssues(issues: { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join('.') || '(frame)'}: ${i.message}`)
    .join('; ');
}

/** Parses and validates one text frame from an agent, or throws an IngestError saying what is wrong. */
export function parseAgentFrame(text: string): AgentMessage {
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
  if (type === 'snapshot' && isValidSnapshotFast(value)) return value;
  const parsed = agentMessageSchema.safeParse(value);
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
