import { aDiagnostics, aPortReport, aTuple, prng } from './test-factories.ts';
import { describe, expect, it } from 'vitest';
import type * as z from 'zod';
import { isValidSnapshotFast, isValidSnapshotV2Fast } from './fast-snapshot.ts';
import { MAX_NAMESPACES_PER_SNAPSHOT, snapshotSchema, snapshotV2Schema, type Snapshot, type SnapshotV2 } from './messages.ts';
import { CONTAINER_RUNTIMES, type NamespaceInfo } from './namespaces.ts';
import { KERNEL_COUNTERS, VERDICT_CODES } from './diagnostics.ts';
import {
  MAX_PORT,
  MAX_RESERVED_PORTS_LENGTH,
  MAX_TCP_FIN_TIMEOUT_SECONDS,
  MAX_TCP_MAX_TW_BUCKETS,
  MAX_TCP_TIMESTAMPS,
  MAX_TCP_TW_REUSE,
  MAX_TCP_TW_REUSE_DELAY_MS,
  MAX_TUPLE_COUNT,
  MAX_TUPLES_PER_SNAPSHOT,
  SOCKET_SOURCES,
  TCP_STATES,
  type PortReport,
  type TupleUsage,
} from './report.ts';

// ---------------------------------------------------------------------------------------------
// Valid samples

function aSnapshot(report: PortReport = aPortReport(), seq = 1, takenAt = '2026-11-21T10:00:00.000Z'): Snapshot {
  return { type: 'snapshot', seq, takenAt, report };
}

const IPV6_ADDRESSES = [
  '::1',
  '::',
  'fe80::1',
  '2001:db8:0:0:0:0:0:1',
  '2001:DB8::FFFF',
  '1:2:3:4:5:6:7:8',
  '1::',
  '::ffff:10.0.0.1',
  '64:ff9b::192.0.2.33',
  '1:2:3:4:5:6:1.2.3.4',
];

const SAMPLES: Record<string, Snapshot> = {
  'no tuples': aSnapshot(aPortReport([])),
  'one tuple': aSnapshot(),
  'IPv6 tuples': aSnapshot(
    aPortReport(
      IPV6_ADDRESSES.map((address, i) =>
        aTuple({ localAddress: address, remoteAddress: IPV6_ADDRESSES[(i + 3) % IPV6_ADDRESSES.length], remotePort: 443 + i }),
      ),
      { tupleCount: 40 },
    ),
  ),
  'every TCP state': aSnapshot(
    aPortReport([
      aTuple({
        used: 66,
        timeWait: 6,
        reclaimable: 2,
        pressure: 0.64,
        states: Object.fromEntries(TCP_STATES.map((state) => [state, 6])),
      }),
      aTuple({ used: 0, pressure: 0, states: {} }),
    ]),
  ),
  'UDP pool, netlink, reserved ports, no reuse delay, offset time': aSnapshot(
    aPortReport(
      [
        aTuple({
          localAddress: '10.1.2.3',
          remoteAddress: '10.200.0.1',
          remotePort: 5432,
          used: 20000,
          timeWait: 15000,
          reclaimable: 12000,
          pressure: 8000 / 28216,
          states: { ESTABLISHED: 5000, TIME_WAIT: 15000 },
        }),
      ],
      {
        source: 'netlink',
        range: { low: 32768, high: 60999 },
        reservedPorts: '8080,40000-40009,50000',
        reservedInRange: 11,
        capacity: 28221,
        bindOwned: 5,
        usable: 28216,
        hostPortsInUse: 20100,
        pressure: 8000 / 28216,
        sysctls: { tcpTwReuse: 1, tcpTwReuseDelayMs: null, tcpTimestamps: 2, tcpFinTimeout: 30, tcpMaxTwBuckets: 4096 },
        tupleCount: 3,
        udp: { used: 120, capacity: 28221, pressure: 120 / 28221 },
      },
    ),
    42,
    '2026-11-21T11:00:00.123456+01:00',
  ),
  'upper limits': aSnapshot(
    aPortReport(
      [
        aTuple({
          remotePort: MAX_PORT,
          used: MAX_PORT,
          timeWait: MAX_PORT,
          reclaimable: MAX_PORT,
          pressure: 1,
          states: { TIME_WAIT: MAX_PORT },
        }),
      ],
      {
        range: { low: 1, high: MAX_PORT },
        capacity: MAX_PORT,
        usable: MAX_PORT,
        hostPortsInUse: MAX_PORT,
        pressure: 1,
        sysctls: {
          tcpTwReuse: MAX_TCP_TW_REUSE,
          tcpTwReuseDelayMs: MAX_TCP_TW_REUSE_DELAY_MS,
          tcpTimestamps: MAX_TCP_TIMESTAMPS,
          tcpFinTimeout: MAX_TCP_FIN_TIMEOUT_SECONDS,
          tcpMaxTwBuckets: MAX_TCP_MAX_TW_BUCKETS,
        },
        tupleCount: MAX_TUPLE_COUNT,
        udp: { used: MAX_PORT, capacity: MAX_PORT, pressure: 1 },
      },
    ),
    Number.MAX_SAFE_INTEGER,
    '2024-02-29T23:59:59Z',
  ),
  'lower limits': aSnapshot(
    aPortReport([aTuple({ used: 0, pressure: 0, remotePort: 1, states: {} })], {
      range: { low: 7, high: 7 },
      reservedInRange: 1,
      capacity: 0,
      usable: 0,
      hostPortsInUse: 0,
      pressure: 0,
      reservedPorts: '7',
      sysctls: { tcpTwReuse: 0, tcpTwReuseDelayMs: 0, tcpTimestamps: 0, tcpFinTimeout: 0, tcpMaxTwBuckets: 0 },
      udp: { used: 0, capacity: 0, pressure: 0 },
    }),
    1,
    '2026-01-01T00:00:00-23:59',
  ),
  diagnostics: aSnapshot({ ...aPortReport(), diagnostics: aDiagnostics() }),
  'diagnostics of a first snapshot, with every verdict': aSnapshot({
    ...aPortReport(),
    diagnostics: aDiagnostics({
      intervalSeconds: null,
      attributedAt: null,
      tuples: [
        {
          localAddress: '::1',
          remoteAddress: '::1',
          remotePort: 443,
          processes: [
            {
              pid: 1,
              command: 'nginx: worker',
              user: '1000',
              uid: 1000,
              container: 'a'.repeat(64),
              podUid: '12345678-1234-1234-1234-123456789abc',
              sockets: 3,
            },
          ],
          unattributedSockets: 2,
          churn: { newPerSecond: null, timeWaitInflowPerSecond: null, timeWaitShare: 0 },
          verdicts: [],
        },
      ],
      verdicts: VERDICT_CODES.map((code) => ({ code, text: `${code} – ünïcode`, advice: ['one', 'two'] })),
      conntrack: { count: 0, max: 0, insertFailed: null, drop: null, earlyDrop: null },
      snat: { portRange: null, pools: [], poolCount: 0 },
      kernel: KERNEL_COUNTERS.map((name) => ({ name, delta: 0 })),
    }),
  }),
  'max tuples': aSnapshot(
    aPortReport(
      Array.from({ length: MAX_TUPLES_PER_SNAPSHOT }, (_, i) =>
        aTuple({ remoteAddress: `10.${i >> 8}.${i & 255}.1`, used: 50 - (i % 50), pressure: (50 - (i % 50)) / 100 }),
      ),
      { tupleCount: 5000 },
    ),
  ),
};
const SAMPLE_NAMES = Object.keys(SAMPLES);

// ---------------------------------------------------------------------------------------------
// Differential harness

/**
 * Strict deep equality: same own keys (including keys holding undefined and symbols), Object.is on
 * leaves. Stricter than toEqual, which ignores keys holding undefined.
 */
function sameData(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Reflect.ownKeys(a);
  const keysB = Reflect.ownKeys(b);
  if (keysA.length !== keysB.length) return false;
  for (const key of keysA) {
    if (!Object.hasOwn(b, key)) return false;
    if (!sameData((a as Record<PropertyKey, unknown>)[key], (b as Record<PropertyKey, unknown>)[key])) return false;
  }
  return true;
}

type Path = (string | number)[];
interface Case {
  name: string;
  value: unknown;
}
interface Mutation {
  name: string;
  /** Mutates `root` (a private copy) in place, or returns a replacement root. */
  apply(root: unknown): unknown;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function isObject(value: unknown): value is Record<string | number, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The object holding the node at `path`, or undefined where an earlier mutation replaced part of the way. */
function parentOf(root: unknown, path: Path): Record<string | number, unknown> | undefined {
  let node = root;
  for (const key of path.slice(0, -1)) {
    if (!isObject(node)) return undefined;
    node = node[key];
  }
  return isObject(node) ? node : undefined;
}

/** Sets the node at `path` (the root when the path is empty) to what `make` returns. */
function replaceAt(path: Path, label: string, make: (current: unknown) => unknown): Mutation {
  return {
    name: `${path.join('.') || '(root)'} ← ${label}`,
    apply(root) {
      if (path.length === 0) return make(root);
      const parent = parentOf(root, path);
      const key = path[path.length - 1]!;
      if (parent) parent[key] = make(parent[key]);
      return root;
    },
  };
}

function editAt(path: Path, label: string, edit: (node: unknown) => void): Mutation {
  return {
    name: `${path.join('.') || '(root)'}: ${label}`,
    apply(root) {
      const node = path.length === 0 ? root : parentOf(root, path)?.[path[path.length - 1]!];
      if (isObject(node)) edit(node);
      return root;
    },
  };
}

/** An own, enumerable `__proto__` data property, as JSON.parse makes from `{"__proto__": …}`. */
function defineProtoKey(target: object, value: unknown): void {
  Object.defineProperty(target, '__proto__', { value, enumerable: true, writable: true, configurable: true });
}

const LIMITS = [
  0,
  1,
  2,
  3,
  MAX_PORT,
  MAX_TCP_TW_REUSE,
  MAX_TCP_TIMESTAMPS,
  MAX_TCP_TW_REUSE_DELAY_MS,
  MAX_TCP_FIN_TIMEOUT_SECONDS,
  MAX_TCP_MAX_TW_BUCKETS,
  MAX_TUPLE_COUNT,
  MAX_TUPLES_PER_SNAPSHOT,
  MAX_NAMESPACES_PER_SNAPSHOT,
  Number.MAX_SAFE_INTEGER,
];
const NUMBERS = [...new Set(LIMITS.flatMap((n) => [n - 1, n, n + 1]))];

const STRINGS = [
  '',
  ' ',
  'x',
  '0',
  'null',
  'snapshot',
  'Snapshot',
  'gap',
  'tcp',
  'TCP',
  'udp',
  ...SOCKET_SOURCES,
  'NETLINK',
  ...TCP_STATES,
  'established',
  // IPv4
  '0.0.0.0',
  '255.255.255.255',
  '256.1.1.1',
  '1.2.3.04',
  '01.2.3.4',
  '1.2.3',
  '1.2.3.4.5',
  ' 1.2.3.4',
  '1.2.3.4 ',
  '1.2.3.4\n',
  '1.2.3.-4',
  '١.٢.٣.٤',
  // IPv6
  ...IPV6_ADDRESSES,
  ':::',
  '1::2::3',
  '1:2:3:4:5:6:7:8:9',
  '1:2:3:4:5:6:7:1.2.3.4',
  '::2:3:4:5:6:1.2.3.4',
  '::2:3:4:5:6:7:1.2.3.4',
  '1::3:4:5:6:7:1.2.3.4',
  '1::1.2.3.4:5',
  '::ffff:1.2.3.04',
  '::ffff:256.1.1.1',
  '::1%lo',
  '[::1]',
  '::1\n',
  '::1\t',
  '::@1\\',
  '12345::',
  'g::1',
  // timestamps
  '2026-11-21T10:00:00Z',
  '2026-11-21T10:00:00.5+05:30',
  '2026-11-21T10:00Z',
  '2026-11-21T10:00:00',
  '2026-11-21 10:00:00Z',
  '2026-11-21T10:00:00+0100',
  '2026-11-21T10:00:00+24:00',
  '2026-02-29T10:00:00Z',
  '2026-11-31T10:00:00Z',
  '2026-11-21T24:00:00Z',
  '2026-11-21t10:00:00z',
  '2026-11-21',
  // reserved ports
  '80',
  '80,1000-1010',
  '80,',
  ',80',
  '1-2-3',
  '123456',
  '65535-65535,1',
  '80 ,90',
  '8'.repeat(MAX_RESERVED_PORTS_LENGTH + 1),
  `1${',1'.repeat((MAX_RESERVED_PORTS_LENGTH - 1) / 2)}`,
  `1${',1'.repeat((MAX_RESERVED_PORTS_LENGTH + 1) / 2)}`,
  '\u{1F600}'.repeat(MAX_RESERVED_PORTS_LENGTH / 2 + 1),
  // namespace names, containers and pods
  ...CONTAINER_RUNTIMES,
  'crio',
  'a'.repeat(64),
  'A'.repeat(64),
  'a'.repeat(63),
  'a'.repeat(65),
  '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
  '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f',
  '0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0',
  'tab\there',
  'del\u007f',
  'x'.repeat(253),
  'x'.repeat(254),
  'x'.repeat(255),
  'x'.repeat(256),
  '\u{1F600}'.repeat(255),
];

/**
 * Every single-step change of the node at `path`, chosen by its current value. Not generated:
 * what JSON.parse cannot make (symbol keys, non-enumerable or accessor properties, named
 * properties on arrays), which is outside the fast validator's domain (see fast-snapshot.ts).
 */
function mutationsAt(path: Path, current: unknown): Mutation[] {
  const out: Mutation[] = [];
  const set = (label: string, make: (current: unknown) => unknown) => out.push(replaceAt(path, label, make));
  if (path.length > 0) {
    out.push(
      editAt(path.slice(0, -1), `delete ${String(path[path.length - 1])}`, (parent) => {
        delete (parent as Record<string | number, unknown>)[path[path.length - 1]!];
      }),
    );
  }
  for (const [label, value] of [
    ['undefined', undefined],
    ['null', null],
    ['true', true],
    ['false', false],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['-0', -0],
    ['0.5', 0.5],
    ['-1', -1],
    ['2^53', 2 ** 53],
    ['1e300', 1e300],
    ['10n', 10n],
    ['symbol', Symbol('s')],
  ] as const) {
    set(label, () => value);
  }
  set('[]', () => []);
  set('{}', () => ({}));
  set('[current]', (c) => [c]);
  set('{ value: current }', (c) => ({ value: c }));
  set('a Date', () => new Date(0));
  if (typeof current === 'number') {
    for (const n of [current + 1, current - 1, current + 0.5, current - 1e-9, -current, current * 2, ...NUMBERS]) {
      set(String(n), () => n);
    }
    set('as string', (c) => String(c));
    set('as Number object', (c) => new Number(c));
  }
  if (typeof current === 'string') {
    for (const s of STRINGS) set(JSON.stringify(s).slice(0, 40), () => s);
    set('+ "x"', (c) => `${c as string}x`);
    set('"x" +', (c) => `x${c as string}`);
    set('upper case', (c) => (c as string).toUpperCase());
    set('lower case', (c) => (c as string).toLowerCase());
    set('without first character', (c) => (c as string).slice(1));
    set('without last character', (c) => (c as string).slice(0, -1));
    set('as String object', (c) => new String(c));
  }
  if (Array.isArray(current)) {
    out.push(editAt(path, 'append a copy of the first element', (a) => (a as unknown[]).push(clone((a as unknown[])[0]))));
    out.push(editAt(path, 'drop the last element', (a) => (a as unknown[]).pop()));
    out.push(editAt(path, 'append null', (a) => (a as unknown[]).push(null)));
    out.push(editAt(path, 'leave a hole', (a) => ((a as unknown[]).length += 1)));
    set('empty', () => []);
    set('as an object with index keys', (c) => ({ ...(c as unknown[]) }));
    for (const length of [MAX_TUPLES_PER_SNAPSHOT, MAX_TUPLES_PER_SNAPSHOT + 1]) {
      set(`${length} copies of the first element`, (c) => Array.from({ length }, () => clone((c as unknown[])[0] ?? {})));
    }
  } else if (typeof current === 'object' && current !== null) {
    for (const [label, value] of [
      ['1', 1],
      ['null', null],
      ['undefined', undefined],
      ['{}', {}],
    ] as const) {
      out.push(editAt(path, `add unknown key = ${label}`, (o) => Object.assign(o as object, { extra: clone(value) })));
    }
    out.push(editAt(path, 'add key "constructor"', (o) => Object.assign(o as object, { constructor: 1 })));
    out.push(editAt(path, 'add key "toString"', (o) => Object.assign(o as object, { toString: 1 })));
    out.push(editAt(path, 'add own "__proto__" = 1', (o) => defineProtoKey(o as object, 1)));
    out.push(editAt(path, 'add own "__proto__" = {}', (o) => defineProtoKey(o as object, {})));
    for (const state of path[path.length - 1] === 'states' ? TCP_STATES : TCP_STATES.slice(0, 1)) {
      out.push(editAt(path, `add key ${state} = 1`, (o) => Object.assign(o as object, { [state]: 1 })));
      out.push(editAt(path, `add key ${state} = ${MAX_PORT + 1}`, (o) => Object.assign(o as object, { [state]: MAX_PORT + 1 })));
    }
    out.push(editAt(path, 'add key "0"', (o) => Object.assign(o as object, { 0: 1 })));
    set('with a null prototype', (c) => Object.assign(Object.create(null) as object, c));
    set('as an instance of a class', (c) => Object.assign(new (class Frame {})(), c));
    set('inheriting its keys', (c) => Object.create(c as object) as unknown);
    set('as an array of its values', (c) => Object.values(c as object));
  }
  return out;
}

/** Every path of `value` (root included), depth first; `keep` decides which children to enter. */
function paths(value: unknown, keep: (path: Path) => boolean = () => true, path: Path = []): [Path, unknown][] {
  const out: [Path, unknown][] = [[path, value]];
  if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) {
      const child: Path = [...path, Array.isArray(value) ? Number(key) : key];
      if (keep(child)) out.push(...paths((value as Record<string, unknown>)[key], keep, child));
    }
  }
  return out;
}

/** Beyond the first two tuples, a tuple's fields repeat what the first ones test; only its addresses differ. */
function worthWalking(path: Path): boolean {
  return !(path[1] === 'tuples' && (path[2] as number) >= 2 && path.length > 3 && !/Address$/.test(String(path[3])));
}

function allMutations(sample: unknown): Mutation[] {
  return paths(sample, worthWalking).flatMap(([path, current]) => mutationsAt(path, current));
}

function mutate(sample: unknown, mutations: Mutation[]): unknown {
  let root = clone(sample);
  for (const m of mutations) root = m.apply(root);
  return root;
}

/** Random snapshots that zod accepts: random ranges, reservations, tuples, addresses, states. */
function randomSnapshot(rnd: () => number): Snapshot {
  const int = (min: number, max: number) => min + Math.floor(rnd() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const address = () =>
    rnd() < 0.5
      ? `${int(0, 255)}.${int(0, 255)}.${int(0, 255)}.${int(0, 255)}`
      : rnd() < 0.5
        ? pick(IPV6_ADDRESSES)
        : `${int(0, 0xffff).toString(16)}::${int(0, 0xffff).toString(16)}:${int(0, 0xffff).toString(16).toUpperCase()}`;
  const low = int(1, MAX_PORT);
  const high = int(low, MAX_PORT);
  const reservedInRange = int(0, high - low + 1);
  const capacity = high - low + 1 - reservedInRange;
  const bindOwned = int(0, capacity);
  const tuples = Array.from({ length: int(0, 6) }, (): TupleUsage => {
    const used = int(0, capacity);
    const timeWait = int(0, used);
    const states: Record<string, number> = {};
    for (const state of TCP_STATES) if (rnd() < 0.3) states[state] = int(0, MAX_PORT);
    return {
      protocol: 'tcp',
      localAddress: address(),
      remoteAddress: address(),
      remotePort: int(1, MAX_PORT),
      used,
      timeWait,
      reclaimable: int(0, timeWait),
      pressure: rnd() < 0.1 ? pick([0, 1]) : rnd(),
      states,
    };
  });
  const report: PortReport = {
    source: pick(SOCKET_SOURCES),
    range: { low, high },
    reservedPorts: pick(['', '80', `${low}-${high}`, '8080,40000-40009']),
    reservedInRange,
    capacity,
    bindOwned,
    usable: capacity - bindOwned,
    hostPortsInUse: int(0, MAX_PORT),
    pressure: rnd(),
    sysctls: {
      tcpTwReuse: int(0, MAX_TCP_TW_REUSE),
      tcpTwReuseDelayMs: rnd() < 0.3 ? null : int(0, MAX_TCP_TW_REUSE_DELAY_MS),
      tcpTimestamps: int(0, MAX_TCP_TIMESTAMPS),
      tcpFinTimeout: int(0, MAX_TCP_FIN_TIMEOUT_SECONDS),
      tcpMaxTwBuckets: int(0, MAX_TCP_MAX_TW_BUCKETS),
    },
    tuples,
    tupleCount: rnd() < 0.5 ? tuples.length : int(tuples.length, MAX_TUPLE_COUNT),
    udp: { used: int(0, MAX_PORT), capacity: int(0, MAX_PORT), pressure: rnd() },
  };
  const takenAt = new Date(int(0, 4102444800) * 1000 + int(0, 999)).toISOString();
  return aSnapshot(report, int(1, Number.MAX_SAFE_INTEGER), rnd() < 0.5 ? takenAt : takenAt.replace('Z', '+02:00'));
}

interface Outcome {
  cases: number;
  zodAccepted: number;
  /** zod accepted and its output was the input (strictly: no key dropped, not even one holding undefined). */
  zodUnchanged: number;
  fastAccepted: number;
  /** The fast validator said true where zod fails or changes the value: must never happen. */
  unsafe: string[];
  /** zod passes the value through unchanged but the fast validator said false (only slower). */
  missed: string[];
}

/** A case with zod's verdict on it. */
interface Judged extends Case {
  zod: ReturnType<typeof snapshotSchema.safeParse> | ReturnType<typeof snapshotV2Schema.safeParse>;
  /** zod accepted and its output is the input (strictly: no key dropped, not even one holding undefined). */
  unchanged: boolean;
}

function judge(cases: Case[], schema: typeof snapshotSchema | typeof snapshotV2Schema = snapshotSchema): Judged[] {
  return cases.map((c) => {
    const zod = schema.safeParse(c.value);
    return { ...c, zod, unchanged: zod.success && sameData(zod.data, c.value) };
  });
}

function differential(validate: (value: unknown) => boolean, cases: Judged[]): Outcome {
  const outcome: Outcome = { cases: 0, zodAccepted: 0, zodUnchanged: 0, fastAccepted: 0, unsafe: [], missed: [] };
  for (const { name, value, zod, unchanged } of cases) {
    outcome.cases++;
    const fast = validate(value);
    if (zod.success) outcome.zodAccepted++;
    if (unchanged) outcome.zodUnchanged++;
    if (fast) outcome.fastAccepted++;
    if (fast && !unchanged) outcome.unsafe.push(name);
    if (!fast && unchanged) outcome.missed.push(name);
  }
  return outcome;
}

/** The generated cases: every single mutation of every sample, then random valid snapshots and random chains of mutations. */
function generateCases(): Case[] {
  const cases: Case[] = [];
  for (const sampleName of SAMPLE_NAMES) {
    const sample = SAMPLES[sampleName]!;
    let mutations: Mutation[];
    if (sampleName === 'max tuples') {
      // 1,000 tuples make each case slow: the array itself and its last tuple, every 8th change of the latter.
      mutations = [
        ...mutationsAt(['report', 'tuples'], sample.report.tuples),
        ...mutationsAt(['report', 'tupleCount'], sample.report.tupleCount),
        ...paths(sample.report.tuples.at(-1), () => true, ['report', 'tuples', MAX_TUPLES_PER_SNAPSHOT - 1])
          .flatMap(([path, current]) => mutationsAt(path, current))
          .filter((_, i) => i % 8 === 0),
      ];
    } else {
      mutations = allMutations(sample);
    }
    for (const m of mutations) cases.push({ name: `${sampleName}: ${m.name}`, value: mutate(sample, [m]) });
  }
  const rnd = prng(0x5eed);
  for (let i = 0; i < 600; i++) {
    const sample = randomSnapshot(rnd);
    cases.push({ name: `random #${i}`, value: sample });
    const samplePaths = paths(sample);
    for (let j = 0; j < 4; j++) {
      const chain = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => {
        const [path, current] = samplePaths[Math.floor(rnd() * samplePaths.length)]!;
        const mutations = mutationsAt(path, current);
        return mutations[Math.floor(rnd() * mutations.length)]!;
      });
      cases.push({ name: `random #${i}: ${chain.map((m) => m.name).join('; ')}`, value: mutate(sample, chain) });
    }
  }
  return cases;
}

let generated: Judged[] | undefined;
/** The generated cases, judged by zod once for all the tests below. */
function mutationCases(): Judged[] {
  generated ??= judge(generateCases());
  return generated;
}

/** `validate` applied to a changed copy of the value when `when` holds (false where the value cannot be copied). */
function onCopy(
  validate: (value: unknown) => boolean,
  when: (value: Snapshot) => boolean,
  change: (copy: Snapshot) => void,
): (value: unknown) => boolean {
  return (value) => {
    if (!isObject(value) || !isObject(value.report) || !when(value as unknown as Snapshot)) return validate(value);
    let copy: Snapshot;
    try {
      copy = structuredClone(value) as Snapshot;
      change(copy);
    } catch {
      return false;
    }
    return validate(copy);
  };
}

// ---------------------------------------------------------------------------------------------

/** The fast check accepts `sample` (as built and as parsed from its JSON), and zod accepts it unchanged. */
function expectAcceptedAsZodDoes(fast: (value: unknown) => boolean, schema: z.ZodType, sample: unknown): void {
  for (const value of [sample, JSON.parse(JSON.stringify(sample)) as unknown]) {
    expect(fast(value)).toBe(true);
    const zod = schema.safeParse(value);
    expect(zod.success).toBe(true);
    expect(zod.data).toEqual(value);
  }
}

describe('isValidSnapshotFast', () => {
  it.each(SAMPLE_NAMES)('accepts a valid snapshot (%s), as zod does, unchanged', (name) => {
    expectAcceptedAsZodDoes(isValidSnapshotFast, snapshotSchema, SAMPLES[name]!);
  });

  it('refuses what zod would strip: unknown keys at any level, "__proto__" in a states record', () => {
    const frame = JSON.parse(JSON.stringify(aSnapshot())) as Snapshot;
    const withKeys = [
      { ...frame, extra: 1 },
      { ...frame, report: { ...frame.report, extra: 1 } },
      { ...frame, report: { ...frame.report, udp: { ...frame.report.udp, extra: 1 } } },
      JSON.parse(JSON.stringify(frame).replace('"states":{', '"states":{"__proto__":1,')) as unknown,
    ];
    for (const value of withKeys) {
      expect(snapshotSchema.safeParse(value).success).toBe(true); // zod takes it, without the key
      expect(isValidSnapshotFast(value)).toBe(false);
    }
  });

  it('agrees with zod on thousands of seeded mutations: never true where zod fails or changes the value', () => {
    const cases = mutationCases();
    const outcome = differential(isValidSnapshotFast, cases);
    console.info(
      `fast-snapshot differential: ${outcome.cases} cases, zod accepts ${outcome.zodAccepted} ` +
        `(${outcome.zodUnchanged} unchanged), fast accepts ${outcome.fastAccepted}`,
    );
    expect(outcome.cases).toBeGreaterThan(5000);
    expect(outcome.unsafe).toEqual([]);
    // Not required for safety, but a fast path that refuses valid frames is only slower: it takes
    // every value zod gives back unchanged
    // (zod takes a class instance for an object and an object inheriting from a record it reads
    // no key of; the fast path takes only plain objects, as JSON.parse makes.)
    expect(outcome.missed.filter((name) => !/as an instance of a class|states ← inheriting its keys/.test(name))).toEqual([]);
    // The cases must exercise both answers, or the comparison proves little.
    expect(outcome.fastAccepted).toBeGreaterThan(1000);
    expect(outcome.zodAccepted - outcome.zodUnchanged).toBeGreaterThan(100); // stripped keys
    expect(outcome.cases - outcome.zodAccepted).toBeGreaterThan(3000);
    for (const { value, zod } of cases) {
      if (!isValidSnapshotFast(value)) continue;
      expect(zod.success).toBe(true);
      expect(zod.data).toEqual(value);
    }
  });

  it('the differential test catches a looser validator', () => {
    // Each of these is the fast validator with one check loosened.
    const looser: Record<string, (value: unknown) => boolean> = {
      'zod success alone (forgets stripped keys)': (value) => snapshotSchema.safeParse(value).success,
      'no tupleCount limit': onCopy(
        isValidSnapshotFast,
        (v) => typeof v.report.tupleCount === 'number' && v.report.tupleCount > MAX_TUPLE_COUNT,
        (copy) => (copy.report.tupleCount = MAX_TUPLE_COUNT),
      ),
      'any string is an address': onCopy(
        isValidSnapshotFast,
        (v) => Array.isArray(v.report.tuples),
        (copy) => {
          for (const t of copy.report.tuples as unknown[]) {
            if (!isObject(t)) continue;
            if (typeof t.localAddress === 'string') t.localAddress = '127.0.0.1';
            if (typeof t.remoteAddress === 'string') t.remoteAddress = '127.0.0.1';
          }
        },
      ),
      'seq may be a float': onCopy(
        isValidSnapshotFast,
        (v) => typeof v.seq === 'number' && v.seq >= 1 && v.seq <= Number.MAX_SAFE_INTEGER,
        (copy) => (copy.seq = Math.ceil(copy.seq)),
      ),
    };
    // The changes of one sample suffice (and keep the copying cheap).
    const cases = mutationCases().filter((c) => c.name.startsWith('one tuple: '));
    expect(cases.length).toBeGreaterThan(1000);
    for (const [name, validate] of Object.entries(looser)) {
      expect(differential(validate, cases).unsafe.length, name).toBeGreaterThan(0);
    }
  });

  it('agrees with zod on IPv4 and IPv6 addresses built at random from their pieces', () => {
    const rnd = prng(0xadd7);
    const pieces = ['0', '1', '9', '00', '01', '255', '256', 'a', 'F', 'ff', 'ffff', '12345', 'g'];
    pieces.push(':', '::', '.', '.0', '1.2.3.4', '1:2:3:', ' ', '%', '[', '@');
    const base = aSnapshot(aPortReport([aTuple()]));
    const cases: Case[] = [];
    for (let i = 0; i < 4000; i++) {
      let address = '';
      const n = 1 + Math.floor(rnd() * 10);
      for (let j = 0; j < n; j++) address += pieces[Math.floor(rnd() * pieces.length)];
      const value = clone(base);
      value.report.tuples[0]!.remoteAddress = address;
      cases.push({ name: JSON.stringify(address), value });
    }
    const outcome = differential(isValidSnapshotFast, judge(cases));
    expect(outcome.unsafe).toEqual([]);
    expect(outcome.missed).toEqual([]);
    expect(outcome.zodAccepted).toBeGreaterThan(50);
  });
});

// ---------------------------------------------------------------------------------------------
// Protocol version 2: every namespace's report

function aNamespace(inode: number, overrides: Partial<NamespaceInfo> = {}): NamespaceInfo {
  return { inode, name: null, host: false, processes: 1, pod: null, containers: [], ...overrides };
}

function aSnapshotV2(namespaces: SnapshotV2['namespaces'] = [], skipped: number[] = []): SnapshotV2 {
  return { ...aSnapshot(), namespace: aNamespace(4026531840, { host: true, processes: 120 }), namespaces, skipped };
}

const V2_SAMPLES: Record<string, SnapshotV2> = {
  'own namespace only': aSnapshotV2(),
  'a pod, a named netns, an unnamed one, a skipped one': aSnapshotV2(
    [
      {
        namespace: aNamespace(4026532281, {
          processes: 3,
          pod: { name: 'cart-7d9f', namespace: 'shop', uid: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0' },
          containers: [
            { runtime: 'containerd', id: 'a'.repeat(64), name: 'cart' },
            { runtime: null, id: 'b'.repeat(64), name: null },
          ],
        }),
        report: aPortReport([aTuple({ used: 90, pressure: 0.9 })]),
      },
      { namespace: aNamespace(4026532282, { name: 'blue', processes: 0 }), report: aPortReport([]) },
      {
        namespace: aNamespace(4026532283, { pod: { name: null, namespace: null, uid: null } }),
        report: aPortReport([aTuple({ localAddress: '::1', remoteAddress: '::ffff:10.0.0.1' })], { source: 'netlink' }),
      },
    ],
    [4026532290],
  ),
};

describe('isValidSnapshotV2Fast', () => {
  it.each(Object.keys(V2_SAMPLES))('accepts a valid version 2 snapshot (%s), as zod does, unchanged', (name) => {
    expectAcceptedAsZodDoes(isValidSnapshotV2Fast, snapshotV2Schema, V2_SAMPLES[name]!);
  });

  it('refuses a version 1 snapshot and a version 2 one where v1 is expected', () => {
    expect(isValidSnapshotV2Fast(aSnapshot())).toBe(false);
    expect(snapshotV2Schema.safeParse(aSnapshot()).success).toBe(false);
    expect(isValidSnapshotFast(V2_SAMPLES['own namespace only'])).toBe(false);
  });

  it('agrees with zod on every single change of its samples and random chains of them', () => {
    const cases: Case[] = [];
    const rnd = prng(0x2f2);
    for (const [sampleName, sample] of Object.entries(V2_SAMPLES)) {
      const mutations = allMutations(sample);
      for (const m of mutations) cases.push({ name: `${sampleName}: ${m.name}`, value: mutate(sample, [m]) });
      for (let i = 0; i < 1500; i++) {
        const chain = Array.from({ length: 2 + Math.floor(rnd() * 2) }, () => mutations[Math.floor(rnd() * mutations.length)]!);
        cases.push({ name: `${sampleName}: ${chain.map((m) => m.name).join('; ')}`, value: mutate(sample, chain) });
      }
    }
    const judged = judge(cases, snapshotV2Schema);
    const outcome = differential(isValidSnapshotV2Fast, judged);
    expect(outcome.cases).toBeGreaterThan(5000);
    expect(outcome.unsafe).toEqual([]);
    expect(outcome.missed.filter((name) => !/as an instance of a class|inheriting its keys/.test(name))).toEqual([]);
    expect(outcome.fastAccepted).toBeGreaterThan(200);
    expect(outcome.cases - outcome.zodAccepted).toBeGreaterThan(2000);
    // A validator that forgets the refines (every inode once, host flags) is caught by these cases.
    const withoutRefines = (value: unknown) =>
      isValidSnapshotV2Fast(value) ||
      (isObject(value) &&
        Array.isArray(value.namespaces) &&
        isValidSnapshotV2Fast({
          ...value,
          namespaces: (value.namespaces as unknown[]).map((n, i) =>
            isObject(n) && isObject(n.namespace) ? { ...n, namespace: { ...n.namespace, inode: 1 + i, host: false } } : n,
          ),
          skipped: [],
          namespace: isObject(value.namespace) ? { ...value.namespace, inode: 999_999, host: true } : value.namespace,
        }));
    expect(differential(withoutRefines, judged).unsafe.length).toBeGreaterThan(0);
  });
});
