import { describe, expect, it } from 'vitest';
import type * as z from 'zod';
import {
  checkDiagnostics,
  checkLabels,
  checkServerMessage,
  type CheckResult,
  ISO_DATETIME_OFFSET_PATTERN,
  isHostCredential,
  UUID_PATTERN,
} from './agent-checks.ts';
import { diagnosticsSchema } from './diagnostics.ts';
import { enrolledSchema, hostCredentialSchema, labelsSchema, serverMessageSchema } from './server-messages.ts';
import { aDiagnostics } from './test-factories.ts';

// The agent's hand-written checks against the protocol's zod schemas, over the same inputs: they
// must accept the same values, give back the same data (unknown keys dropped), and name the same
// first issue (path and message).

function agree(schema: z.ZodType, check: (value: unknown) => CheckResult<unknown>, value: unknown, label: string): void {
  const expected = schema.safeParse(value);
  const actual = check(value);
  expect(actual.success, `${label}: ${expected.success ? 'zod accepts' : `zod refuses: ${JSON.stringify(expected.error.issues[0])}`}`).toBe(
    expected.success,
  );
  if (expected.success && actual.success) expect(actual.data, label).toEqual(expected.data);
  if (!expected.success && !actual.success) {
    const first = expected.error.issues[0];
    expect({ path: actual.issue.path, message: actual.issue.message }, label).toEqual({ path: first?.path, message: first?.message });
  }
}

/** Bad values put in place of each field in turn (and the field left out). */
const REPLACEMENTS: unknown[] = [
  undefined,
  null,
  true,
  'x',
  '',
  -1,
  0,
  1,
  1.5,
  -0,
  65535,
  65536,
  4_194_305,
  4_294_967_295,
  86_401,
  10_000_001,
  2 ** 53,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  [],
  {},
  'a\u0000b',
  'é'.repeat(65),
  '😀'.repeat(64),
  '😀'.repeat(65),
  'x'.repeat(301),
  '::1',
  '1.2.3.04',
  'leak',
  'Bogus',
];

/** Every variant of `value` with one field (at any depth) replaced, removed, or an unknown key added. */
function* mutations(value: unknown, path: string[] = []): Generator<[string, (root: unknown) => void]> {
  if (Array.isArray(value)) {
    yield [`${path.join('.')}: one item too many`, (root) => (get(root, path) as unknown[]).push(structuredClone(value[0] ?? null))];
    for (let i = 0; i < value.length; i++) yield* field(value, [...path, String(i)], value[i]);
  } else if (typeof value === 'object' && value !== null) {
    yield [`${path.join('.')}: an unknown key`, (root) => ((get(root, path) as Record<string, unknown>)['extra'] = 1)];
    for (const [key, item] of Object.entries(value)) yield* field(value, [...path, key], item);
  }
}

function* field(_parent: unknown, path: string[], item: unknown): Generator<[string, (root: unknown) => void]> {
  const parentPath = path.slice(0, -1);
  const key = path[path.length - 1] as string;
  yield [`${path.join('.')} left out`, (root) => delete (get(root, parentPath) as Record<string, unknown>)[key]];
  for (const replacement of REPLACEMENTS) {
    yield [
      `${path.join('.')} = ${typeof replacement === 'string' ? JSON.stringify(replacement.slice(0, 12)) : String(replacement)}`,
      (root) => ((get(root, parentPath) as Record<string, unknown>)[key] = replacement),
    ];
  }
  yield* mutations(item, path);
}

function get(root: unknown, path: string[]): unknown {
  let at = root;
  for (const key of path) at = (at as Record<string, unknown>)[key];
  return at;
}

function agreeOnMutations(schema: z.ZodType, check: (value: unknown) => CheckResult<unknown>, valid: unknown): number {
  agree(schema, check, valid, 'the valid value');
  let count = 0;
  for (const [label, mutate] of mutations(valid)) {
    const copy = structuredClone(valid);
    mutate(copy);
    agree(schema, check, copy, label);
    count++;
  }
  return count;
}

describe('hand-written checks of the agent agree with the protocol schemas', () => {
  it('carry the very patterns zod tests', () => {
    expect(UUID_PATTERN.source).toBe(String(enrolledSchema.shape.hostId.def.pattern?.source));
    expect(ISO_DATETIME_OFFSET_PATTERN.source).toBe(String(diagnosticsSchema.shape.attributedAt.unwrap().def.pattern?.source));
  });

  it('server messages: every frame type, and every field wrong in every way', () => {
    const credential = `ppc_${'a'.repeat(43)}`;
    const frames: unknown[] = [
      { type: 'enrolled', hostId: '6ba7b810-9dad-11d1-80b4-00c04fd430c8', credential },
      { type: 'welcome', hostId: 'h', lastSeq: 0, intervalSeconds: 10, maxFramesPerSecond: 5 },
      { type: 'ack', seq: 1 },
      { type: 'gap-ack', fromSeq: 1, toSeq: 4 },
      { type: 'error', code: 'INVALID_FRAME', message: 'bad', seq: 3 },
      { type: 'error', code: 'OVERLOADED', message: '' },
    ];
    let count = 0;
    for (const frame of frames) count += agreeOnMutations(serverMessageSchema, checkServerMessage, frame);
    const odd: unknown[] = [
      null,
      undefined,
      'welcome',
      42,
      [],
      [{ type: 'ack', seq: 1 }],
      {},
      { type: 'nope' },
      { type: 'ack' },
      { type: 'ack', seq: '1' },
      { type: 'ack', seq: 2 ** 60 },
      { type: 'ack', seq: -(2 ** 60) },
      { type: 'error', code: 'INTERNAL', message: 'm', seq: undefined },
      { type: 'error', code: 'INTERNAL', message: 'm', seq: -5 },
      { type: 'error', code: 'toString', message: 'm' },
      { type: 'enrolled', hostId: '00000000-0000-0000-0000-000000000000', credential },
      { type: 'enrolled', hostId: 'ffffffff-ffff-ffff-ffff-ffffffffffff', credential },
      { type: 'enrolled', hostId: 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', credential },
      { type: 'enrolled', hostId: '6ba7b810-9dad-01d1-80b4-00c04fd430c8', credential },
      { type: 'enrolled', hostId: '6ba7b810-9dad-11d1-80b4-00c04fd430c8', credential: `${credential}a` },
      { type: 'enrolled', hostId: '6ba7b810-9dad-11d1-80b4-00c04fd430c8', credential: `ppc_${'+'.repeat(43)}` },
      JSON.parse('{"__proto__": {"x": 1}, "type": "ack", "seq": 2}'),
    ];
    for (const value of odd) agree(serverMessageSchema, checkServerMessage, value, JSON.stringify(value) ?? String(value));
    expect(count).toBeGreaterThan(200);
  });

  it('labels', () => {
    const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
    const cases: unknown[] = [
      {},
      { env: 'prod', 'a.b/c-d_e': '' },
      { 'a b': 'x' },
      { '': 'x' },
      { [`k${'x'.repeat(62)}`]: 'x' },
      { [`${'x'.repeat(63)}`]: 'x' },
      { a: 'x'.repeat(256) },
      { a: 'x'.repeat(257) },
      { a: '😀'.repeat(256) },
      { a: '😀'.repeat(257) },
      { a: '\ud800'.repeat(257) },
      { a: 'x\n' },
      { a: 'x\u007f' },
      { a: '\u0080 ok' },
      { a: 1 },
      { a: null },
      { a: undefined },
      { 'a b': 'x\n' },
      { a: 'x\n', 'b c': 'y' },
      many(32),
      many(33),
      { ...many(33), 'a b': 'c' },
      { ...many(33), a: 'x'.repeat(300) },
      [],
      null,
      undefined,
      'env=prod',
      7,
      new Map(),
      Object.assign(Object.create(null) as object, { a: 'b' }),
      JSON.parse('{"__proto__": "x", "a": "b"}'),
    ];
    for (const value of cases) agree(labelsSchema, checkLabels, value, JSON.stringify(value)?.slice(0, 60) ?? String(value));
  });

  it('the host credential', () => {
    const cases: unknown[] = [
      `ppc_${'a'.repeat(43)}`,
      `ppc_${'A0_-'.repeat(10)}abc`,
      `ppc_${'a'.repeat(42)}`,
      `ppc_${'a'.repeat(44)}`,
      `ppe_${'a'.repeat(43)}`,
      `ppc_${'a'.repeat(42)}=`,
      ` ppc_${'a'.repeat(43)}`,
      `ppc_${'a'.repeat(43)}\n`,
      '',
      null,
      undefined,
      43,
      {},
    ];
    for (const value of cases) expect(isHostCredential(value), String(value)).toBe(hostCredentialSchema.safeParse(value).success);
  });

  it('diagnostics: every field wrong in every way', () => {
    const count = agreeOnMutations(diagnosticsSchema, checkDiagnostics, aDiagnostics());
    expect(count).toBeGreaterThan(1000);
    const first = aDiagnostics({ intervalSeconds: null, attributedAt: null, conntrack: null, snat: null, kernel: [] });
    agreeOnMutations(diagnosticsSchema, checkDiagnostics, first);
    const edges: unknown[] = [
      aDiagnostics({ attributedAt: '2024-02-29T00:00:00+02:00' }),
      aDiagnostics({ attributedAt: '2023-02-29T00:00:00Z' }),
      aDiagnostics({ attributedAt: '2026-11-21T10:00:00' }),
      aDiagnostics({ attributedAt: '2026-11-21 10:00:00Z' }),
      aDiagnostics({ snat: { portRange: { low: 5, high: 5 }, pools: [], poolCount: 0 } }),
      aDiagnostics({ snat: { portRange: { low: 6, high: 5 }, pools: [], poolCount: 0 } }),
      aDiagnostics({ snat: { portRange: { low: 0, high: 5 }, pools: [], poolCount: 0 } }),
      aDiagnostics({ verdicts: Array.from({ length: 9 }, () => ({ code: 'leak', text: 't', advice: [] })) }),
      { ...aDiagnostics(), verdicts: Array.from({ length: 9 }, () => ({ code: 'x', text: 't', advice: [] })) },
      aDiagnostics({ kernel: Array.from({ length: 8 }, () => ({ name: 'TWKilled', delta: 1 })) }),
      null,
      [],
      'diagnostics',
      {},
    ];
    for (const [i, value] of edges.entries()) agree(diagnosticsSchema, checkDiagnostics, value, `edge case ${i}`);
    for (const address of [
      '::',
      '::ffff:10.0.0.1',
      '1::2::3',
      'fe80::1%eth0',
      '1:2:3:4:5:6:7:8',
      '1:2:3:4:5:6:7:8:9',
      '01.2.3.4',
      '256.1.1.1',
      ' 1.1.1.1',
    ]) {
      const d = aDiagnostics();
      const tuple = d.tuples[0];
      if (tuple) tuple.localAddress = address;
      agree(diagnosticsSchema, checkDiagnostics, d, address);
    }
  });
});
