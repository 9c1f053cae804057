import { AGENT_ERROR_CODE_NAMES, DIAGNOSIS_LIMITS, HOST_CREDENTIAL_PATTERN, KERNEL_COUNTERS, VERDICT_CODES } from './agent-constants.ts';
import type { Diagnostics } from './diagnostics.ts';
import type { Labels, ServerMessage } from './server-messages.ts';
import { codePointLength, isIpAddress } from './wire-checks.ts';

/*
 * The checks the long-lived agent makes, written out without zod (which costs it memory as soon
 * as a schema is built; see docs/agent-memory.md): the frames the API sends, labels, the host
 * credential and the agent's own diagnostics. Each accepts exactly what the protocol's zod schema
 * accepts and returns what zod would (unknown object keys dropped); a refusal names the first
 * issue zod would report, with zod's path and message. The schemas stay the source of truth:
 * agent-checks.spec.ts runs both over the same inputs and fails when they disagree.
 */

/** The first issue found, as zod reports it. */
export interface CheckIssue {
  path: (string | number)[];
  message: string;
}

export type CheckResult<T> = { success: true; data: T } | { success: false; issue: CheckIssue };

class Refusal {
  constructor(
    readonly path: (string | number)[],
    readonly message: string,
  ) {}
}

type Path = (string | number)[];

function refuse(path: Path, message: string): never {
  throw new Refusal(path, message);
}

function run<T>(check: () => T): CheckResult<T> {
  try {
    return { success: true, data: check() };
  } catch (error) {
    if (error instanceof Refusal) return { success: false, issue: { path: error.path, message: error.message } };
    throw error;
  }
}

/** zod's name for what it received. */
function received(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : Number.isFinite(value) ? 'number' : 'Infinity';
  if (typeof value === 'object' && Object.getPrototypeOf(value) !== Object.prototype) {
    const ctor = (value as { constructor?: unknown }).constructor;
    if (typeof ctor === 'function' && ctor.name) return ctor.name;
  }
  return typeof value;
}

function invalidType(path: Path, expected: string, value: unknown): never {
  return refuse(path, `Invalid input: expected ${expected}, received ${received(value)}`);
}

/** z.object(): any object but null and arrays. */
function object(value: unknown, path: Path): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalidType(path, 'object', value);
  return value as Record<string, unknown>;
}

function string(value: unknown, path: Path): string {
  if (typeof value !== 'string') invalidType(path, 'string', value);
  return value;
}

/** z.number() with .int() when `int`, then .min(min) and .max(max) (inclusive). */
function number(value: unknown, path: Path, int: boolean, min?: number, max?: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) invalidType(path, 'number', value);
  if (int && !Number.isInteger(value)) invalidType(path, 'int', value);
  if (int && !Number.isSafeInteger(value)) {
    refuse(
      path,
      value > 0 ? `Too big: expected int to be <=${Number.MAX_SAFE_INTEGER}` : `Too small: expected int to be >=${Number.MIN_SAFE_INTEGER}`,
    );
  }
  if (min !== undefined && value < min) refuse(path, `Too small: expected number to be >=${min}`);
  if (max !== undefined && value > max) refuse(path, `Too big: expected number to be <=${max}`);
  return value;
}

/** printableText(max) of server-messages.ts, with .min(1) when `nonEmpty`. */
function printable(value: unknown, path: Path, max: number, nonEmpty = false): string {
  const s = string(value, path);
  if (s.length > max && codePointLength(s) > max) refuse(path, `Too big: expected string to have <=${max} characters`);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x1f || c === 0x7f) refuse(path, 'must not contain control characters');
  }
  if (nonEmpty && s.length === 0) refuse(path, 'Too small: expected string to have >=1 characters');
  return s;
}

function oneOf<T extends string>(value: unknown, path: Path, options: readonly T[]): T {
  if (!options.includes(value as T)) refuse(path, `Invalid option: expected one of ${options.map((o) => JSON.stringify(o)).join('|')}`);
  return value as T;
}

function array<T>(value: unknown, path: Path, max: number, each: (item: unknown, path: Path) => T): T[] {
  if (!Array.isArray(value)) invalidType(path, 'array', value);
  // zod checks the length before the items (and reports no item of a list that is too long).
  if (value.length > max) refuse(path, `Too big: expected array to have <=${max} items`);
  const out: T[] = [];
  for (let i = 0; i < value.length; i++) out.push(each(value[i], [...path, i])); // holes too, as zod
  return out;
}

function nullable<T>(value: unknown, path: Path, check: (value: unknown, path: Path) => T): T | null {
  return value === null ? null : check(value, path);
}

function pattern(value: unknown, path: Path, re: RegExp, message?: string): string {
  const s = string(value, path);
  if (!re.test(s)) refuse(path, message ?? `Invalid string: must match pattern ${String(re)}`);
  return s;
}

// --- the frames the API sends (server-messages.ts) ---

/** z.uuid(): zod's RFC 9562 pattern (versions 1-8, the nil and the max UUID); the spec compares it with zod's. */
export const UUID_PATTERN =
  /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/;

const SERVER_MESSAGE_TYPES = ['enrolled', 'welcome', 'ack', 'gap-ack', 'error'] as const;

/** serverMessageSchema: one frame the API sent, without unknown keys, or the first issue. */
export function checkServerMessage(value: unknown): CheckResult<ServerMessage> {
  return run((): ServerMessage => {
    const o = object(value, []);
    const type = o.type;
    if (!SERVER_MESSAGE_TYPES.includes(type as (typeof SERVER_MESSAGE_TYPES)[number])) {
      refuse(['type'], `Invalid discriminator value. Expected ${SERVER_MESSAGE_TYPES.map((t) => `'${t}'`).join(' | ')}`);
    }
    switch (type as (typeof SERVER_MESSAGE_TYPES)[number]) {
      case 'enrolled':
        return {
          type: 'enrolled',
          hostId: pattern(o.hostId, ['hostId'], UUID_PATTERN, 'Invalid UUID'),
          credential: pattern(o.credential, ['credential'], HOST_CREDENTIAL_PATTERN, 'not a Portpressure host credential'),
        };
      case 'welcome':
        return {
          type: 'welcome',
          hostId: string(o.hostId, ['hostId']),
          lastSeq: number(o.lastSeq, ['lastSeq'], true, 0),
          intervalSeconds: number(o.intervalSeconds, ['intervalSeconds'], true, 1),
          maxFramesPerSecond: number(o.maxFramesPerSecond, ['maxFramesPerSecond'], true, 1),
        };
      case 'ack':
        return { type: 'ack', seq: number(o.seq, ['seq'], true, 1) };
      case 'gap-ack':
        return { type: 'gap-ack', fromSeq: number(o.fromSeq, ['fromSeq'], true, 1), toSeq: number(o.toSeq, ['toSeq'], true, 1) };
      case 'error': {
        const error: ServerMessage = {
          type: 'error',
          code: oneOf(o.code, ['code'], AGENT_ERROR_CODE_NAMES),
          message: string(o.message, ['message']),
        };
        if ('seq' in o) {
          error.seq = o.seq === undefined ? undefined : number(o.seq, ['seq'], true);
        }
        return error;
      }
    }
  });
}

// --- labels and the credential ---

const LABEL_KEY = /^[A-Za-z0-9_.\-/]{1,63}$/;
const MAX_LABELS = 32;

/** labelsSchema: at most 32 labels, keys 1-63 characters of A-Z a-z 0-9 _ . - /, printable values up to 256. */
export function checkLabels(value: unknown): CheckResult<Labels> {
  return run((): Labels => {
    const proto: unknown = typeof value === 'object' && value !== null ? Object.getPrototypeOf(value) : undefined;
    if (Array.isArray(value) || (proto !== Object.prototype && proto !== null)) invalidType([], 'record', value);
    const input = value as Record<string, unknown>;
    const labels: Record<string, string> = {};
    for (const key of Object.keys(input)) {
      if (key === '__proto__') continue;
      if (!LABEL_KEY.test(key)) refuse([key], 'Invalid key in record');
      labels[key] = printable(input[key], [key], 256);
    }
    if (Object.keys(labels).length > MAX_LABELS) refuse([], `at most ${MAX_LABELS} labels`);
    return labels;
  });
}

/** hostCredentialSchema. */
export function isHostCredential(value: unknown): value is string {
  return typeof value === 'string' && HOST_CREDENTIAL_PATTERN.test(value);
}

// --- the agent's diagnostics (diagnostics.ts) ---

/** z.iso.datetime({ offset: true }): zod's pattern, written out; the spec compares it with zod's. */
export const ISO_DATETIME_OFFSET_PATTERN =
  /^(?:(?:\d\d[2468][048]|\d\d[13579][26]|\d\d0[48]|[02468][048]00|[13579][26]00)-02-29|\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|(?:02)-(?:0[1-9]|1\d|2[0-8])))T(?:(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|([+-](?:[01]\d|2[0-3]):[0-5]\d)))$/;
const CONTAINER_ID = /^[0-9a-f]{64}$/;
const POD_UID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_PORT = 65535;

function ipAddress(value: unknown, path: Path): string {
  if (!isIpAddress(value)) refuse(path, 'Invalid input');
  return value as string;
}

const port = (v: unknown, p: Path) => number(v, p, true, 1, MAX_PORT);
const portCount = (v: unknown, p: Path) => number(v, p, true, 0, MAX_PORT);
const ratio = (v: unknown, p: Path) => number(v, p, false, 0, 1);
const counter = (v: unknown, p: Path) => number(v, p, true, 0, DIAGNOSIS_LIMITS.counter);
const rate = (v: unknown, p: Path) => number(v, p, false, 0, DIAGNOSIS_LIMITS.ratePerSecond);
const at = (p: Path, key: string) => [...p, key];

function verdict(value: unknown, p: Path): Diagnostics['verdicts'][number] {
  const o = object(value, p);
  return {
    code: oneOf(o.code, at(p, 'code'), VERDICT_CODES),
    text: printable(o.text, at(p, 'text'), DIAGNOSIS_LIMITS.text, true),
    advice: array(o.advice, at(p, 'advice'), DIAGNOSIS_LIMITS.advicePerVerdict, (a, ap) => printable(a, ap, DIAGNOSIS_LIMITS.text, true)),
  };
}

function tupleProcess(value: unknown, p: Path) {
  const o = object(value, p);
  return {
    pid: number(o.pid, at(p, 'pid'), true, 1, DIAGNOSIS_LIMITS.pid),
    command: printable(o.command, at(p, 'command'), 64),
    user: printable(o.user, at(p, 'user'), 64),
    uid: number(o.uid, at(p, 'uid'), true, 0, DIAGNOSIS_LIMITS.uid),
    container: nullable(o.container, at(p, 'container'), (v, vp) => pattern(v, vp, CONTAINER_ID)),
    podUid: nullable(o.podUid, at(p, 'podUid'), (v, vp) => pattern(v, vp, POD_UID)),
    sockets: portCount(o.sockets, at(p, 'sockets')),
  };
}

function churn(value: unknown, p: Path): Diagnostics['tuples'][number]['churn'] {
  const o = object(value, p);
  return {
    newPerSecond: nullable(o.newPerSecond, at(p, 'newPerSecond'), rate),
    timeWaitInflowPerSecond: nullable(o.timeWaitInflowPerSecond, at(p, 'timeWaitInflowPerSecond'), rate),
    timeWaitShare: ratio(o.timeWaitShare, at(p, 'timeWaitShare')),
  };
}

function tupleDiagnosis(value: unknown, p: Path): Diagnostics['tuples'][number] {
  const o = object(value, p);
  return {
    localAddress: ipAddress(o.localAddress, at(p, 'localAddress')),
    remoteAddress: ipAddress(o.remoteAddress, at(p, 'remoteAddress')),
    remotePort: port(o.remotePort, at(p, 'remotePort')),
    processes: nullable(o.processes, at(p, 'processes'), (v, vp) => array(v, vp, DIAGNOSIS_LIMITS.processesPerTuple, tupleProcess)),
    unattributedSockets: portCount(o.unattributedSockets, at(p, 'unattributedSockets')),
    churn: churn(o.churn, at(p, 'churn')),
    verdicts: array(o.verdicts, at(p, 'verdicts'), DIAGNOSIS_LIMITS.verdicts, verdict),
  };
}

function conntrack(value: unknown, p: Path): NonNullable<Diagnostics['conntrack']> {
  const o = object(value, p);
  return {
    count: counter(o.count, at(p, 'count')),
    max: counter(o.max, at(p, 'max')),
    insertFailed: nullable(o.insertFailed, at(p, 'insertFailed'), counter),
    drop: nullable(o.drop, at(p, 'drop'), counter),
    earlyDrop: nullable(o.earlyDrop, at(p, 'earlyDrop'), counter),
  };
}

function snat(value: unknown, p: Path): NonNullable<Diagnostics['snat']> {
  const o = object(value, p);
  return {
    portRange: nullable(o.portRange, at(p, 'portRange'), (v, rp) => {
      const r = object(v, rp);
      const range = { low: port(r.low, at(rp, 'low')), high: port(r.high, at(rp, 'high')) };
      if (range.low > range.high) refuse(rp, 'portRange.low must not exceed portRange.high');
      return range;
    }),
    pools: array(o.pools, at(p, 'pools'), DIAGNOSIS_LIMITS.snatPools, (v, pp) => {
      const pool = object(v, pp);
      return {
        translatedAddress: ipAddress(pool.translatedAddress, at(pp, 'translatedAddress')),
        remoteAddress: ipAddress(pool.remoteAddress, at(pp, 'remoteAddress')),
        remotePort: port(pool.remotePort, at(pp, 'remotePort')),
        portsInUse: portCount(pool.portsInUse, at(pp, 'portsInUse')),
        capacity: number(pool.capacity, at(pp, 'capacity'), true, 1, MAX_PORT),
        pressure: ratio(pool.pressure, at(pp, 'pressure')),
      };
    }),
    poolCount: counter(o.poolCount, at(p, 'poolCount')),
  };
}

/** diagnosticsSchema: the agent's diagnosis of one namespace, without unknown keys, or the first issue. */
export function checkDiagnostics(value: unknown): CheckResult<Diagnostics> {
  return run((): Diagnostics => {
    const o = object(value, []);
    return {
      intervalSeconds: nullable(o.intervalSeconds, ['intervalSeconds'], (v, p) => number(v, p, false, 0, 86_400)),
      attributedAt: nullable(o.attributedAt, ['attributedAt'], (v, p) =>
        pattern(v, p, ISO_DATETIME_OFFSET_PATTERN, 'Invalid ISO datetime'),
      ),
      tuples: array(o.tuples, ['tuples'], DIAGNOSIS_LIMITS.tuples, tupleDiagnosis),
      verdicts: array(o.verdicts, ['verdicts'], DIAGNOSIS_LIMITS.verdicts, verdict),
      conntrack: nullable(o.conntrack, ['conntrack'], conntrack),
      snat: nullable(o.snat, ['snat'], snat),
      kernel: array(o.kernel, ['kernel'], KERNEL_COUNTERS.length, (v, p) => {
        const k = object(v, p);
        return { name: oneOf(k.name, at(p, 'name'), KERNEL_COUNTERS), delta: counter(k.delta, at(p, 'delta')) };
      }),
    };
  });
}
