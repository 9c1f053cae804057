import { agentMessageSchema } from '@portpressure/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { aHello, aReport, aSnapshot, aTuple } from '../../test/support/factories.ts';
import { parseAgentFrame } from './agent-frames.ts';
import { IngestError } from './ingest.errors.ts';

function refusal(text: string): IngestError {
  try {
    parseAgentFrame(text);
  } catch (error) {
    if (error instanceof IngestError) return error;
    throw error;
  }
  throw new Error('the frame was accepted');
}

describe('parseAgentFrame', () => {
  afterEach(() => vi.restoreAllMocks());

  it('takes a valid snapshot as parsed, without zod', () => {
    const safeParse = vi.spyOn(agentMessageSchema, 'safeParse');
    const snapshot = aSnapshot(7, aReport({ tuples: [aTuple({ localAddress: '::1', remoteAddress: '::ffff:10.0.0.1' })] }));
    expect(parseAgentFrame(JSON.stringify(snapshot))).toEqual(snapshot);
    expect(safeParse).not.toHaveBeenCalled();
  });

  it('leaves a snapshot with unknown keys to zod, which strips them', () => {
    const safeParse = vi.spyOn(agentMessageSchema, 'safeParse');
    const snapshot = aSnapshot(7);
    const frame = { ...snapshot, extra: 1, report: { ...snapshot.report, udp: { ...snapshot.report.udp, extra: 2 } } };
    expect(parseAgentFrame(JSON.stringify(frame))).toEqual(snapshot);
    expect(safeParse).toHaveBeenCalledTimes(1);
  });

  it('reports an invalid snapshot as before, naming its seq', () => {
    const snapshot = aSnapshot(9);
    const error = refusal(JSON.stringify({ ...snapshot, report: { ...snapshot.report, usable: 99 } }));
    expect(error.code).toBe('INVALID_FRAME');
    expect(error.message).toBe('invalid snapshot: report.usable: usable must equal capacity − bindOwned');
    expect(error.seq).toBe(9);
    const badAddress = aSnapshot(10, aReport({ tuples: [aTuple({ remoteAddress: '10.0.0.256' })] }));
    expect(refusal(JSON.stringify(badAddress)).message).toMatch(/^invalid snapshot: report\.tuples\.0\.remoteAddress: /);
  });

  it('validates other frames with zod', () => {
    const safeParse = vi.spyOn(agentMessageSchema, 'safeParse');
    const hello = aHello('web-1');
    expect(parseAgentFrame(JSON.stringify(hello))).toEqual(hello);
    expect(safeParse).toHaveBeenCalledTimes(1);
    expect(refusal('{"type":"gap","fromSeq":5,"toSeq":4}').message).toBe('invalid gap: toSeq: fromSeq must not exceed toSeq');
    expect(refusal('{"type":"nope"}').code).toBe('UNKNOWN_TYPE');
    expect(refusal('{').code).toBe('INVALID_JSON');
  });
});
