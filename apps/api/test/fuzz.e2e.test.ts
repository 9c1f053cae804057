import { AGENT_ERROR_CODES, MAX_AGENT_FRAME_BYTES, PROTOCOL_VERSION, type AgentErrorCode, type Snapshot } from '@portpressure/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AgentClient,
  connectEnrolled,
  enrollHost,
  isAck,
  isError,
  isWelcome,
  startApiHarness,
  type ApiHarness,
  type EnrolledHost,
} from './support/api-harness.ts';
import { aHello, aReport, aSnapshot, aTuple } from './support/factories.ts';
import { prng } from '../../../packages/protocol/src/test-factories.ts';

/** Frames per second per connection in this run: bursts up to 2× this never trip the limit. */
const RATE_LIMIT = 250;
/** Frames a connection sends per round of a non-fatal kind: under the burst, so no kind is mistaken for a flood. */
const FRAMES_PER_CONNECTION = 400;

const rnd = prng(0x5eed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A valid snapshot with a few tuples, as plain JSON to mutate. */
function validSnapshot(): { [key: string]: Json } {
  const tuples = Array.from({ length: int(1, 8) }, (_, i) =>
    aTuple({ remoteAddress: `10.0.${i}.${int(1, 254)}`, remotePort: int(1, 65535), used: int(0, 100) }),
  );
  tuples.forEach((t) => (t.pressure = t.used / 100));
  tuples.sort((x, y) => y.pressure - x.pressure);
  return JSON.parse(JSON.stringify(aSnapshot(int(1, 1_000_000), aReport({ tuples })))) as { [key: string]: Json };
}

/** Sets `path` (dot-separated, numbers index arrays) in a JSON value. */
function setPath(root: { [key: string]: Json }, path: string, value: Json | undefined): void {
  const keys = path.split('.');
  let node: Json = root;
  for (const k of keys.slice(0, -1)) node = (node as Record<string, Json>)[k]!;
  const last = keys[keys.length - 1]!;
  if (value === undefined) delete (node as Record<string, Json>)[last];
  else (node as Record<string, Json>)[last] = value;
}

/** One kind of malformed input: how to make a frame, and the error it must get. */
interface NonFatalKind {
  name: string;
  code: AgentErrorCode;
  /** Returns the frame text and a pattern its error message must match. */
  make(): { frame: string; message: RegExp };
  /** Sent before the hello (the frame is a bad hello) rather than on a streaming connection. */
  beforeHello?: boolean;
}

const REQUIRED_FIELDS = [
  'seq',
  'takenAt',
  'report',
  'report.range',
  'report.capacity',
  'report.usable',
  'report.sysctls',
  'report.udp',
  'report.tuples',
  'report.tuples.0.used',
  'report.tuples.0.remoteAddress',
  'report.tuples.0.remotePort',
  'report.tuples.0.states',
  'report.sysctls.tcpTwReuse',
  'report.udp.used',
  'report.reservedPorts',
  'report.source',
];
const COUNT_FIELDS = [
  'report.capacity',
  'report.usable',
  'report.bindOwned',
  'report.reservedInRange',
  'report.hostPortsInUse',
  'report.tupleCount',
  'report.udp.used',
  'report.tuples.0.used',
  'report.tuples.0.timeWait',
  'report.tuples.0.reclaimable',
];
/** Fields by JSON type, and values of every other type to put there. */
const TYPED_FIELDS: [string, 'number' | 'string' | 'object' | 'array'][] = [
  ['seq', 'number'],
  ['takenAt', 'string'],
  ['report', 'object'],
  ['report.range', 'object'],
  ['report.range.low', 'number'],
  ['report.capacity', 'number'],
  ['report.pressure', 'number'],
  ['report.source', 'string'],
  ['report.reservedPorts', 'string'],
  ['report.sysctls', 'object'],
  ['report.sysctls.tcpTwReuse', 'number'],
  ['report.udp', 'object'],
  ['report.tuples', 'array'],
  ['report.tuples.0.used', 'number'],
  ['report.tuples.0.remoteAddress', 'string'],
  ['report.tuples.0.protocol', 'string'],
  ['report.tuples.0.states', 'object'],
];
const WRONG_VALUES: Record<'number' | 'string' | 'object' | 'array', Json[]> = {
  number: ['12', 'yes', true, [], {}, [1], null],
  string: [12, true, [], {}, ['a'], null],
  object: ['x', 12, true, [], [{}], null],
  array: ['x', 12, true, {}, { 0: 1 }, null],
};
const escapeDots = (path: string) => path.replace(/\./g, '\\.');

const nonFatalKinds: NonFatalKind[] = [
  {
    name: 'malformed JSON',
    code: 'INVALID_JSON',
    make: () => {
      const text = JSON.stringify(validSnapshot());
      const frame = pick([
        () => text.slice(0, int(1, text.length - 1)),
        () => text.replace(/"/, "'"),
        () => text + pick(['}', ',', ']', 'x']),
        () => `{"type":"snapshot",${'"a":'.repeat(int(1, 5))}`,
        () => pick(['', ' ', 'undefined', 'NaN', '{type: "snapshot"}', '{"a":1,}', '\u0000', '[1,2', '"unterminated']),
      ])();
      return { frame, message: /^frame is not valid JSON$/ };
    },
  },
  {
    name: 'not an object',
    code: 'INVALID_FRAME',
    make: () => ({
      frame: JSON.stringify(pick<Json>([[], [1, 2], 42, -1.5, 'snapshot', true, false, null, [{ type: 'snapshot' }]])),
      message: /must be a JSON object/,
    }),
  },
  {
    name: 'unknown type',
    code: 'UNKNOWN_TYPE',
    make: () => {
      const frame = validSnapshot();
      const type = pick<Json | undefined>([
        'Snapshot',
        'snapshots',
        'ack',
        'welcome',
        'delete',
        '',
        'x'.repeat(int(1, 300)),
        7,
        null,
        true,
        undefined,
        ['snapshot'],
        { t: 1 },
      ]);
      setPath(frame, 'type', type);
      return { frame: JSON.stringify(frame), message: /^unknown frame type/ };
    },
  },
  {
    name: 'missing fields',
    code: 'INVALID_FRAME',
    make: () => {
      const frame = validSnapshot();
      const field = pick(REQUIRED_FIELDS);
      setPath(frame, field, undefined);
      return { frame: JSON.stringify(frame), message: new RegExp(`^invalid snapshot: .*${escapeDots(field)}`) };
    },
  },
  {
    name: 'wrong types',
    code: 'INVALID_FRAME',
    make: () => {
      const frame = validSnapshot();
      const [field, type] = pick(TYPED_FIELDS);
      setPath(frame, field, pick(WRONG_VALUES[type]));
      return { frame: JSON.stringify(frame), message: new RegExp(`^invalid snapshot: .*${escapeDots(field)}`) };
    },
  },
  {
    name: 'negative counts',
    code: 'INVALID_FRAME',
    make: () => {
      const frame = validSnapshot();
      const field = pick(COUNT_FIELDS);
      setPath(frame, field, -int(1, 1_000_000));
      return { frame: JSON.stringify(frame), message: /^invalid snapshot: .*(too small|must)/i };
    },
  },
  {
    name: 'absurd counts',
    code: 'INVALID_FRAME',
    make: () => {
      const frame = validSnapshot();
      // 1e400 is not representable: JSON.parse turns it into Infinity, which must be refused as well
      if (rnd() < 0.1)
        return {
          frame: JSON.stringify(frame).replace(/"capacity":100/, '"capacity":1e400'),
          message: /^invalid snapshot: .*report\.capacity/,
        };
      const field = pick([...COUNT_FIELDS, 'report.pressure', 'report.tuples.0.pressure']);
      setPath(frame, field, pick<Json>([10_000_001, 1e9, 2 ** 53, 1e308, 3.5, 7.000001]));
      return { frame: JSON.stringify(frame), message: /^invalid snapshot: / };
    },
  },
  {
    name: 'invalid addresses',
    code: 'INVALID_FRAME',
    make: () => {
      const frame = validSnapshot();
      const field = pick(['report.tuples.0.localAddress', 'report.tuples.0.remoteAddress']);
      setPath(
        frame,
        field,
        pick([
          '999.1.1.1',
          '10.0.0',
          '10.0.0.1.5',
          'localhost',
          '::gg',
          '1:2:3:4:5:6:7:8:9',
          '',
          ' 10.0.0.1',
          '10.0.0.1/24',
          '0x7f.1',
          'fe80::1%eth0\u0000',
        ]),
      );
      return { frame: JSON.stringify(frame), message: new RegExp(`^invalid snapshot: .*${escapeDots(field)}`) };
    },
  },
  {
    name: 'invalid ports',
    code: 'INVALID_FRAME',
    make: () => {
      const frame = validSnapshot();
      const field = pick(['report.tuples.0.remotePort', 'report.range.low', 'report.range.high']);
      setPath(frame, field, pick<Json>([0, -1, 65536, 70000, 443.5, 1e6]));
      return { frame: JSON.stringify(frame), message: /^invalid snapshot: .*(remotePort|range)/ };
    },
  },
  {
    name: 'impossible sequence numbers and times',
    code: 'INVALID_FRAME',
    make: () => {
      const frame = validSnapshot();
      const field = pick(['seq', 'takenAt']);
      setPath(
        frame,
        field,
        field === 'seq'
          ? pick<Json>([0, -1, 1.5, 2 ** 53 + 2])
          : pick(['yesterday', '2026-13-01T00:00:00Z', '2026-11-21', '1700000000', '2026-11-21T10:00:00']),
      );
      return { frame: JSON.stringify(frame), message: new RegExp(`^invalid snapshot: .*${field}`) };
    },
  },
  {
    name: 'inconsistent accounting',
    code: 'INVALID_FRAME',
    make: () => {
      const frame = validSnapshot();
      const [field, value, pattern] = pick<[string, Json, RegExp]>([
        ['report.capacity', 99, /capacity must equal/],
        ['report.usable', 42, /usable must equal/],
        ['report.tupleCount', 0, /tupleCount must be at least/],
        ['report.tuples.0.timeWait', 101, /timeWait must not exceed used|too big|must not exceed/],
        ['report.reservedPorts', '80,abc', /reservedPorts/],
      ]);
      setPath(frame, field, value);
      return { frame: JSON.stringify(frame), message: pattern };
    },
  },
  {
    name: 'bad gaps',
    code: 'INVALID_FRAME',
    make: () => {
      const [fromSeq, toSeq] = pick<[Json, Json]>([
        [5, 1],
        [0, 3],
        [-1, 2],
        [1.5, 2],
        ['1', 2],
        [1, null],
      ]);
      return { frame: JSON.stringify({ type: 'gap', fromSeq, toSeq }), message: /^invalid gap: / };
    },
  },
  {
    name: 'control characters and oversized strings in a hello',
    code: 'INVALID_FRAME',
    beforeHello: true,
    make: () => {
      const hello = JSON.parse(JSON.stringify(aHello('fuzz-host'))) as { [key: string]: Json };
      const [field, value] = pick<[string, Json]>([
        ['agentVersion', 'v1\u0000'],
        ['agentVersion', 'x'.repeat(65)],
        ['host.labels.env', 'prod\u0000'],
        ['host.labels.env', 'line\nbreak'],
        ['host.labels.env', 'y'.repeat(257)],
        ['host.hostname', 'fuzz host'],
        ['host.hostname', ''],
        ['host.machineId', 'short'],
        ['host.machineId', '../../etc/passwd'],
      ]);
      setPath(hello, field, value);
      return { frame: JSON.stringify(hello), message: /^invalid hello: host|^invalid hello: agentVersion/ };
    },
  },
];

/** Kinds that end the connection: one frame per connection, the close code says what was wrong. */
interface FatalKind {
  name: string;
  code: AgentErrorCode;
  connections: number;
  /** Sends the offending input on a fresh connection (authenticated as the fuzz host); returns frames sent. */
  send(agent: AgentClient): number;
  /** Whether the hello is sent first. */
  afterHello: boolean;
  /** An error frame precedes the close (not for oversized frames, closed by the WebSocket layer). */
  errorFrame: boolean;
}

const fatalKinds: FatalKind[] = [
  {
    name: 'binary frames',
    code: 'BINARY_FRAME',
    connections: 150,
    afterHello: true,
    errorFrame: true,
    send: (a) => (a.socket.send(Buffer.from(JSON.stringify(aSnapshot(1)))), 1),
  },
  {
    name: 'a protocol version from the future',
    code: 'UNSUPPORTED_VERSION',
    connections: 150,
    afterHello: false,
    errorFrame: true,
    send: (a) => (a.send({ ...aHello('fuzz-host'), protocolVersion: PROTOCOL_VERSION + int(1, 1000) }), 1),
  },
  {
    name: 'snapshots before hello',
    code: 'HELLO_REQUIRED',
    connections: 150,
    afterHello: false,
    errorFrame: true,
    send: (a) => (a.send(aSnapshot(int(1, 100))), 1),
  },
  {
    name: 'oversized frames',
    code: 'FRAME_TOO_LARGE',
    connections: 20,
    afterHello: true,
    errorFrame: false,
    send: (a) => (a.send(`{"type":"snapshot","seq":1,"pad":"${'x'.repeat(MAX_AGENT_FRAME_BYTES + int(0, 50_000))}"}`), 1),
  },
  {
    name: 'another host identity in the hello',
    code: 'FORBIDDEN',
    connections: 100,
    afterHello: false,
    errorFrame: true,
    send: (a) => (a.send(aHello(`someone-else-${int(1, 1e6)}`)), 1),
  },
  {
    name: 'floods',
    code: 'RATE_LIMITED',
    connections: 4,
    afterHello: true,
    errorFrame: true,
    send: (a) => {
      // far beyond the burst in one go: the limit trips whatever the server's speed
      const frame = JSON.stringify({ type: 'gap', fromSeq: 2, toSeq: 1 });
      for (let i = 0; i < RATE_LIMIT * 12; i++) a.send(frame);
      return RATE_LIMIT * 12;
    },
  },
];

/** Runs `task` over `items` with `workers` in flight; each worker passes its own index. */
async function pool<T>(items: T[], workers: number, task: (item: T, worker: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (next < items.length) await task(items[next++]!, worker);
    }),
  );
}

const NON_FATAL_WORKERS = 6;
const FATAL_WORKERS = 12;

describe('fuzzing the real ingest gateway with malformed frames', () => {
  let h: ApiHarness;
  /** One enrolled host per worker: a host has one connection at a time (a newer one supersedes it). */
  let fuzzHosts: EnrolledHost[];
  const fuzzHello = (i: number) => aHello(`fuzz-host-${i}`);
  beforeAll(async () => {
    h = await startApiHarness({ PORTPRESSURE_AGENT_RATE_LIMIT: String(RATE_LIMIT) });
    fuzzHosts = [];
    for (let i = 0; i < NON_FATAL_WORKERS + FATAL_WORKERS; i++) fuzzHosts.push(await enrollHost(h.api.url, fuzzHello(i)));
  });
  afterAll(async () => h?.stop());

  it('answers ≥10,000 bad frames of every kind with their specific error, stores none, and keeps serving', {
    timeout: 240_000,
  }, async () => {
    // A well-behaved agent streams all along: the server must keep serving it.
    const { agent: bystander, host: bystanderHost } = await connectEnrolled(h.api.url, aHello('bystander-host'));
    let bystanderSeq = 0;
    const bystanderTimer = setInterval(() => bystander.send(aSnapshot(++bystanderSeq, aReport({ used: 1 }))), 100);

    const sentByKind = new Map<string, number>();
    const count = (kind: string, n: number) => sentByKind.set(kind, (sentByKind.get(kind) ?? 0) + n);

    const nonFatalRounds = nonFatalKinds.flatMap((kind) => [kind, kind, kind]); // 3 × 400 frames per kind
    const nonFatal = pool(nonFatalRounds, NON_FATAL_WORKERS, async (kind, worker) => {
      const agent = await AgentClient.connect(h.api.url, { credential: fuzzHosts[worker]!.credential });
      if (!kind.beforeHello) {
        agent.send(fuzzHello(worker));
        await agent.waitFor(isWelcome);
      }
      const expected: RegExp[] = [];
      for (let i = 0; i < FRAMES_PER_CONNECTION; i++) {
        const { frame, message } = kind.make();
        expected.push(message);
        agent.send(frame);
      }
      count(kind.name, FRAMES_PER_CONNECTION);
      const answers = () => agent.messages.filter((m) => m.type !== 'welcome');
      await expect.poll(() => answers().length, { timeout: 60_000, message: kind.name }).toBe(FRAMES_PER_CONNECTION);
      expect(
        agent.messages.filter((m) => m.type !== 'error' && m.type !== 'welcome'),
        kind.name,
      ).toEqual([]);
      const errors = agent.messages.filter(isError);
      errors.forEach((e, i) => {
        expect(e.code, `${kind.name} #${i}: ${e.message}`).toBe(kind.code);
        expect(e.message, `${kind.name} #${i}`).toMatch(expected[i]!);
      });
      expect(agent.closeCode, `${kind.name} keeps the connection open`).toBeUndefined();
      expect(agent.messages.some((m) => m.type === 'ack' || m.type === 'gap-ack')).toBe(false);
      agent.close();
    });

    const fatalConnections = fatalKinds.flatMap((kind) => Array.from({ length: kind.connections }, () => kind));
    const fatal = pool(fatalConnections, FATAL_WORKERS, async (kind, worker) => {
      const w = NON_FATAL_WORKERS + worker;
      const agent = await AgentClient.connect(h.api.url, { credential: fuzzHosts[w]!.credential });
      if (kind.afterHello) {
        agent.send(fuzzHello(w));
        await agent.waitFor(isWelcome);
      }
      count(kind.name, kind.send(agent));
      const closeCode = await agent.waitForClose(60_000);
      expect(closeCode, kind.name).toBe(AGENT_ERROR_CODES[kind.code]);
      const errors = agent.messages.filter(isError).map((e) => e.code);
      if (!kind.errorFrame) expect(errors, kind.name).toEqual([]);
      else if (kind.name === 'floods') {
        // frames inside the burst were answered (they are invalid gaps), then the flood closed the connection
        expect(errors.at(-1)).toBe(kind.code);
        expect(new Set(errors.slice(0, -1))).toEqual(new Set(errors.length > 1 ? ['INVALID_FRAME'] : []));
      } else expect(errors, kind.name).toEqual([kind.code]);
      expect(agent.messages.some((m) => m.type === 'ack' || m.type === 'gap-ack')).toBe(false);
    });

    await Promise.all([nonFatal, fatal]);
    clearInterval(bystanderTimer);
    await bystander.waitFor(isAck(bystanderSeq), 30_000);

    const total = [...sentByKind.values()].reduce((a, b) => a + b, 0);
    console.info(`fuzz: ${total} malformed frames of ${sentByKind.size} kinds: ${[...sentByKind].map(([k, n]) => `${k} ${n}`).join(', ')}`);
    expect(sentByKind.size).toBe(nonFatalKinds.length + fatalKinds.length);
    expect(sentByKind.size).toBeGreaterThanOrEqual(12);
    expect(total).toBeGreaterThanOrEqual(10_000);
    // …and that many without counting the floods
    expect(total - (sentByKind.get('floods') ?? 0)).toBeGreaterThanOrEqual(10_000);

    // Nothing from the bad frames reached the database: the fuzz hosts have no row but their own.
    const fuzzIds = fuzzHosts.map((x) => x.hostId);
    const { rows } = await h.db.query<{ snapshots: string; tuples: string; gaps: string; hosts: string; dropped: string; labels: string }>(
      `SELECT (SELECT count(*) FROM snapshots WHERE host_id = ANY($1::uuid[])) AS snapshots,
              (SELECT count(*) FROM host_tuples WHERE host_id = ANY($1::uuid[])) AS tuples,
              (SELECT count(*) FROM snapshot_gaps) AS gaps,
              (SELECT count(*) FROM hosts) AS hosts,
              (SELECT sum(dropped_snapshots) FROM hosts) AS dropped,
              (SELECT string_agg(DISTINCT labels::text, ',') FROM hosts) AS labels`,
      [fuzzIds],
    );
    expect(rows[0]).toEqual({
      snapshots: '0',
      tuples: '0',
      gaps: '0',
      hosts: String(fuzzIds.length + 1),
      dropped: '0',
      labels: '{"env": "test"}',
    });
    const stored = await h.db.query<{ n: string }>('SELECT count(*) AS n FROM snapshots WHERE host_id = $1', [bystanderHost.hostId]);
    expect(Number(stored.rows[0]!.n)).toBe(bystanderSeq);
    bystander.close();

    // The server still serves a well-formed agent, including the host that sent all the garbage.
    const fresh = await AgentClient.connect(h.api.url, { credential: fuzzHosts[0]!.credential });
    fresh.send(fuzzHello(0));
    await fresh.waitFor(isWelcome);
    const good: Snapshot = aSnapshot(1, aReport({ used: 12 }));
    fresh.send(good);
    await fresh.waitFor(isAck(1));
    const after = await h.db.query<{ n: string }>('SELECT count(*) AS n FROM snapshots WHERE host_id = ANY($1::uuid[])', [fuzzIds]);
    expect(after.rows[0]!.n).toBe('1');
    fresh.close();
  });
});
