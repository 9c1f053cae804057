import {
  KERNEL_COUNTERS,
  MAX_ADVICE_PER_VERDICT,
  MAX_COUNTER,
  MAX_DIAGNOSED_TUPLES,
  MAX_DIAGNOSIS_TEXT,
  MAX_PID,
  MAX_PROCESSES_PER_TUPLE,
  MAX_RATE_PER_SECOND,
  MAX_SNAT_POOLS,
  MAX_UID,
  MAX_VERDICTS,
  VERDICT_CODES,
  diagnosticsSchema,
} from './diagnostics.ts';
import { snapshotSchema, type Snapshot } from './messages.ts';
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
  RESERVED_PORTS_PATTERN,
  SOCKET_SOURCES,
  TCP_STATES,
} from './report.ts';

/*
 * A hand-written twin of `snapshotSchema` for the ingest hot path. zod's safeParse of a snapshot
 * with ~50 tuples costs ~0.15 ms and builds a deep copy of the frame; this walks the parsed JSON in
 * place and allocates nothing.
 *
 * It answers "would zod accept this frame and give it back unchanged?", never "is it invalid?": a
 * false only sends the frame down the zod path, which then accepts (stripping what it strips) or
 * reports the issues. So wherever zod would change the value, this says false:
 * - z.object strips unknown keys (none of these schemas is strict or loose): an unknown key at any
 *   level is false here, though zod accepts the frame without it;
 * - z.partialRecord skips an own `__proto__` key (JSON.parse makes one from `"__proto__": …`) and
 *   accepts without it: false here, as is every other key that is not a TCP state.
 * and everything zod checks is checked the same way:
 * - z.number() refuses NaN and ±Infinity; .int() means a safe integer (Number.isSafeInteger);
 *   .min/.max are inclusive; -0 passes min(0) like in zod;
 * - string .max() counts code points, not UTF-16 units;
 * - z.ipv4() is zod's regex (dotted quad, 0-255, no leading zeros), written out as a scanner;
 * - z.ipv6() is not zod's regex: zod accepts what `new URL("http://[" + s + "]")` parses after
 *   checking that s holds only hex digits, ':' and '.', i.e. the WHATWG URL standard's IPv6 parser
 *   (embedded dotted IPv4 included), written out below;
 * - z.iso.datetime({ offset: true }) uses the very RegExp zod tests (read off the schema);
 * - every .refine of range, tuple and report.
 * - the report's optional `diagnostics` (diagnostics.ts) field by field, like the rest.
 *
 * Domain: values from JSON.parse (plain objects and arrays). Objects must be plain (prototype
 * Object.prototype or null) and have own enumerable data keys; what JSON cannot produce (symbol
 * keys, accessors, proxies, extra non-index properties on arrays) is outside its scope.
 */

const OBJECT_PROTOTYPE = Object.prototype;
const hasOwn = Object.prototype.hasOwnProperty;
const SOCKET_SOURCE_SET: ReadonlySet<unknown> = new Set<unknown>(SOCKET_SOURCES);
const TCP_STATE_SET: ReadonlySet<string> = new Set<string>(TCP_STATES);
const VERDICT_CODE_SET: ReadonlySet<unknown> = new Set<unknown>(VERDICT_CODES);
const KERNEL_COUNTER_SET: ReadonlySet<unknown> = new Set<unknown>(KERNEL_COUNTERS);
const CONTAINER_ID = /^[0-9a-f]{64}$/;
const POD_UID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The RegExp zod itself tests `takenAt` against, so the two cannot drift apart. */
const TAKEN_AT_PATTERN: RegExp = (() => {
  const pattern = snapshotSchema.shape.takenAt.def.pattern;
  if (!(pattern instanceof RegExp) || pattern.global || pattern.sticky) {
    throw new Error('snapshotSchema.takenAt no longer carries a plain datetime pattern');
  }
  return pattern;
})();

/** The RegExp zod tests `diagnostics.attributedAt` against. */
const ATTRIBUTED_AT_PATTERN: RegExp = (() => {
  const pattern = diagnosticsSchema.shape.attributedAt.unwrap().def.pattern;
  if (!(pattern instanceof RegExp) || pattern.global || pattern.sticky) {
    throw new Error('diagnosticsSchema.attributedAt no longer carries a plain datetime pattern');
  }
  return pattern;
})();

const DOT = 0x2e;
const COLON = 0x3a;
const ZERO = 0x30;

/** A plain object as JSON.parse makes them (what z.object and z.record accept, minus class instances). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === OBJECT_PROTOTYPE || proto === null;
}

/** z.number().int().min(min).max(max). */
function isIntIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}

/** z.number().int().min(1).max(MAX_PORT). */
function isPort(value: unknown): value is number {
  return isIntIn(value, 1, MAX_PORT);
}

/** z.number().int().min(0).max(MAX_PORT). */
function isPortCount(value: unknown): value is number {
  return isIntIn(value, 0, MAX_PORT);
}

/** z.number().min(0).max(1): NaN and ±Infinity fail the comparisons. */
function isRatio(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= 1;
}

/** Unicode code points, as zod's string .max() counts them (a lone surrogate counts as one). */
function codePointLength(s: string): number {
  const units = s.length;
  let count = units;
  for (let i = 0; i < units - 1; i++) {
    if ((s.charCodeAt(i) & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      count--;
      i++;
    }
  }
  return count;
}

/** zod's ipv4 regex: four dot-separated decimals 0-255, each "0" or without a leading zero. */
function isIPv4(s: string): boolean {
  const n = s.length;
  if (n < 7 || n > 15) return false;
  let i = 0;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= n || s.charCodeAt(i) !== DOT) return false;
      i++;
    }
    const start = i;
    let value = 0;
    while (i < n) {
      const d = s.charCodeAt(i) - ZERO;
      if (d < 0 || d > 9) break;
      if (i - start === 3) return false;
      value = value * 10 + d;
      i++;
    }
    if (i === start || value > 255 || (i - start > 1 && s.charCodeAt(start) === ZERO)) return false;
  }
  return i === n;
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * z.ipv6(): the WHATWG URL standard's IPv6 parser (https://url.spec.whatwg.org/#concept-ipv6-parser),
 * which is what `URL.canParse("http://[" + s + "]")` runs once zod has checked that s is non-empty
 * and holds only hex digits, ':' and '.' (any other character fails here too). Only success or
 * failure is computed, not the address.
 */
function isIPv6(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  let pieceIndex = 0;
  let compress = -1;
  let p = 0;
  if (s.charCodeAt(0) === COLON) {
    if (n < 2 || s.charCodeAt(1) !== COLON) return false;
    p = 2;
    pieceIndex = 1;
    compress = 1;
  }
  while (p < n) {
    if (pieceIndex === 8) return false;
    if (s.charCodeAt(p) === COLON) {
      if (compress !== -1) return false;
      p++;
      pieceIndex++;
      compress = pieceIndex;
      continue;
    }
    let length = 0;
    while (length < 4 && p < n && isHexDigit(s.charCodeAt(p))) {
      p++;
      length++;
    }
    const c = p < n ? s.charCodeAt(p) : -1;
    if (c === DOT) {
      if (length === 0) return false;
      p -= length;
      if (pieceIndex > 6) return false;
      let numbersSeen = 0;
      while (p < n) {
        let piece = -1;
        if (numbersSeen > 0) {
          if (s.charCodeAt(p) === DOT && numbersSeen < 4) p++;
          else return false;
        }
        if (p >= n || !isDigit(s.charCodeAt(p))) return false;
        while (p < n && isDigit(s.charCodeAt(p))) {
          const d = s.charCodeAt(p) - ZERO;
          if (piece === -1) piece = d;
          else if (piece === 0) return false;
          else piece = piece * 10 + d;
          if (piece > 255) return false;
          p++;
        }
        numbersSeen++;
        if (numbersSeen === 2 || numbersSeen === 4) pieceIndex++;
      }
      if (numbersSeen !== 4) return false;
      break;
    } else if (c === COLON) {
      p++;
      if (p >= n) return false;
    } else if (c !== -1) {
      return false;
    }
    pieceIndex++;
  }
  return compress !== -1 || pieceIndex === 8;
}

/** ipAddressSchema: z.union([z.ipv4(), z.ipv6()]). */
function isIpAddress(value: unknown): boolean {
  return typeof value === 'string' && (isIPv4(value) || isIPv6(value));
}

/** tupleUsageSchema (keys, fields and both refines) plus the report's `used <= capacity` refine. */
function isValidTuple(t: unknown, capacity: number): boolean {
  if (!isPlainObject(t)) return false;
  let keys = 0;
  for (const k in t) {
    if (!hasOwn.call(t, k)) return false;
    switch (k) {
      case 'protocol':
      case 'localAddress':
      case 'remoteAddress':
      case 'remotePort':
      case 'used':
      case 'timeWait':
      case 'reclaimable':
      case 'pressure':
      case 'states':
        keys++;
        break;
      default:
        return false;
    }
  }
  if (keys !== 9) return false;
  const used = t.used;
  const timeWait = t.timeWait;
  const reclaimable = t.reclaimable;
  return (
    t.protocol === 'tcp' &&
    isIpAddress(t.localAddress) &&
    isIpAddress(t.remoteAddress) &&
    isPort(t.remotePort) &&
    isPortCount(used) &&
    isPortCount(timeWait) &&
    isPortCount(reclaimable) &&
    isRatio(t.pressure) &&
    isValidStates(t.states) &&
    timeWait <= used &&
    reclaimable <= timeWait &&
    used <= capacity
  );
}

/** stateCountsSchema: z.partialRecord(tcpStateSchema, portCount); `__proto__` is not a state, so refused. */
function isValidStates(states: unknown): boolean {
  if (!isPlainObject(states)) return false;
  for (const k in states) {
    if (!hasOwn.call(states, k) || !TCP_STATE_SET.has(k) || !isPortCount(states[k])) return false;
  }
  return true;
}

/** portRangeSchema, including low <= high. */
function isValidRange(r: unknown): r is { low: number; high: number } {
  if (!isPlainObject(r)) return false;
  let keys = 0;
  for (const k in r) {
    if (!hasOwn.call(r, k)) return false;
    if (k === 'low' || k === 'high') keys++;
    else return false;
  }
  return keys === 2 && isPort(r.low) && isPort(r.high) && r.low <= r.high;
}

/** sysctlsSchema. */
function isValidSysctls(s: unknown): boolean {
  if (!isPlainObject(s)) return false;
  let keys = 0;
  for (const k in s) {
    if (!hasOwn.call(s, k)) return false;
    switch (k) {
      case 'tcpTwReuse':
      case 'tcpTwReuseDelayMs':
      case 'tcpTimestamps':
      case 'tcpFinTimeout':
      case 'tcpMaxTwBuckets':
        keys++;
        break;
      default:
        return false;
    }
  }
  const delay = s.tcpTwReuseDelayMs;
  return (
    keys === 5 &&
    isIntIn(s.tcpTwReuse, 0, MAX_TCP_TW_REUSE) &&
    (delay === null || isIntIn(delay, 0, MAX_TCP_TW_REUSE_DELAY_MS)) &&
    isIntIn(s.tcpTimestamps, 0, MAX_TCP_TIMESTAMPS) &&
    isIntIn(s.tcpFinTimeout, 0, MAX_TCP_FIN_TIMEOUT_SECONDS) &&
    isIntIn(s.tcpMaxTwBuckets, 0, MAX_TCP_MAX_TW_BUCKETS)
  );
}

/** udpPoolSchema. */
function isValidUdp(u: unknown): boolean {
  if (!isPlainObject(u)) return false;
  let keys = 0;
  for (const k in u) {
    if (!hasOwn.call(u, k)) return false;
    if (k === 'used' || k === 'capacity' || k === 'pressure') keys++;
    else return false;
  }
  return keys === 3 && isPortCount(u.used) && isPortCount(u.capacity) && isRatio(u.pressure);
}

/** reservedPorts: z.string().max(MAX_RESERVED_PORTS_LENGTH).regex(RESERVED_PORTS_PATTERN). */
function isValidReservedPorts(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  if (value.length > MAX_RESERVED_PORTS_LENGTH && codePointLength(value) > MAX_RESERVED_PORTS_LENGTH) return false;
  return RESERVED_PORTS_PATTERN.test(value);
}

/** portReportSchema: its fields and its four refines. */
function isValidReport(r: unknown): boolean {
  if (!isPlainObject(r)) return false;
  let keys = 0;
  for (const k in r) {
    if (!hasOwn.call(r, k)) return false;
    switch (k) {
      case 'source':
      case 'range':
      case 'reservedPorts':
      case 'reservedInRange':
      case 'capacity':
      case 'bindOwned':
      case 'usable':
      case 'hostPortsInUse':
      case 'pressure':
      case 'sysctls':
      case 'tuples':
      case 'tupleCount':
      case 'udp':
        keys++;
        break;
      case 'diagnostics':
        // Optional: zod keeps an own undefined as it is (JSON never makes one).
        if (r.diagnostics !== undefined && !isValidDiagnostics(r.diagnostics)) return false;
        break;
      default:
        return false;
    }
  }
  if (keys !== 13) return false;
  const range = r.range;
  const reservedInRange = r.reservedInRange;
  const capacity = r.capacity;
  const bindOwned = r.bindOwned;
  const usable = r.usable;
  const tuples = r.tuples;
  const tupleCount = r.tupleCount;
  if (
    !SOCKET_SOURCE_SET.has(r.source) ||
    !isValidRange(range) ||
    !isValidReservedPorts(r.reservedPorts) ||
    !isPortCount(reservedInRange) ||
    !isPortCount(capacity) ||
    !isPortCount(bindOwned) ||
    !isPortCount(usable) ||
    !isPortCount(r.hostPortsInUse) ||
    !isRatio(r.pressure) ||
    !isValidSysctls(r.sysctls) ||
    !Array.isArray(tuples) ||
    tuples.length > MAX_TUPLES_PER_SNAPSHOT ||
    !isIntIn(tupleCount, 0, MAX_TUPLE_COUNT) ||
    !isValidUdp(r.udp) ||
    capacity !== range.high - range.low + 1 - reservedInRange ||
    usable !== capacity - bindOwned ||
    tuples.length > tupleCount
  ) {
    return false;
  }
  for (let i = 0; i < tuples.length; i++) {
    if (!isValidTuple(tuples[i], capacity)) return false;
  }
  return true;
}

/** An object whose own keys are exactly `names` (any order), as a z.object without optional fields. */
function hasExactly(o: Record<string, unknown>, names: readonly string[]): boolean {
  let keys = 0;
  for (const k in o) {
    if (!hasOwn.call(o, k) || !names.includes(k)) return false;
    keys++;
  }
  return keys === names.length;
}

/** printable(max) of diagnostics.ts: at most `max` code points, no control characters; `nonEmpty` adds .min(1). */
function isPrintable(value: unknown, max: number, nonEmpty = false): value is string {
  if (typeof value !== 'string' || (nonEmpty && value.length === 0)) return false;
  if (value.length > max && codePointLength(value) > max) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 0x1f || c === 0x7f) return false;
  }
  return true;
}

/** z.number().min(0).max(max). */
function isNumberIn(value: unknown, max: number): boolean {
  return typeof value === 'number' && value >= 0 && value <= max;
}

function isCounter(value: unknown): boolean {
  return isIntIn(value, 0, MAX_COUNTER);
}

function isArrayOf(value: unknown, max: number, each: (item: unknown) => boolean): boolean {
  if (!Array.isArray(value) || value.length > max) return false;
  for (let i = 0; i < value.length; i++) if (!each(value[i])) return false;
  return true;
}

const PROCESS_KEYS = ['pid', 'command', 'user', 'uid', 'container', 'podUid', 'sockets'] as const;
const TUPLE_DIAGNOSIS_KEYS = [
  'localAddress',
  'remoteAddress',
  'remotePort',
  'processes',
  'unattributedSockets',
  'churn',
  'verdicts',
] as const;
const CHURN_KEYS = ['newPerSecond', 'timeWaitInflowPerSecond', 'timeWaitShare'] as const;
const VERDICT_KEYS = ['code', 'text', 'advice'] as const;
const CONNTRACK_KEYS = ['count', 'max', 'insertFailed', 'drop', 'earlyDrop'] as const;
const SNAT_KEYS = ['portRange', 'pools', 'poolCount'] as const;
const POOL_KEYS = ['translatedAddress', 'remoteAddress', 'remotePort', 'portsInUse', 'capacity', 'pressure'] as const;
const COUNTER_KEYS = ['name', 'delta'] as const;
const DIAGNOSTICS_KEYS = ['intervalSeconds', 'attributedAt', 'tuples', 'verdicts', 'conntrack', 'snat', 'kernel'] as const;

/** tupleProcessSchema. */
function isValidProcess(p: unknown): boolean {
  if (!isPlainObject(p) || !hasExactly(p, PROCESS_KEYS)) return false;
  const { container, podUid } = p;
  return (
    isIntIn(p.pid, 1, MAX_PID) &&
    isPrintable(p.command, 64) &&
    isPrintable(p.user, 64) &&
    isIntIn(p.uid, 0, MAX_UID) &&
    (container === null || (typeof container === 'string' && CONTAINER_ID.test(container))) &&
    (podUid === null || (typeof podUid === 'string' && POD_UID.test(podUid))) &&
    isPortCount(p.sockets)
  );
}

/** verdictSchema. */
function isValidVerdict(v: unknown): boolean {
  if (!isPlainObject(v) || !hasExactly(v, VERDICT_KEYS)) return false;
  return (
    VERDICT_CODE_SET.has(v.code) &&
    isPrintable(v.text, MAX_DIAGNOSIS_TEXT, true) &&
    isArrayOf(v.advice, MAX_ADVICE_PER_VERDICT, (a) => isPrintable(a, MAX_DIAGNOSIS_TEXT, true))
  );
}

function isVerdictList(value: unknown): boolean {
  return isArrayOf(value, MAX_VERDICTS, isValidVerdict);
}

/** tupleDiagnosisSchema. */
function isValidTupleDiagnosis(t: unknown): boolean {
  if (!isPlainObject(t) || !hasExactly(t, TUPLE_DIAGNOSIS_KEYS)) return false;
  const churn = t.churn;
  if (!isPlainObject(churn) || !hasExactly(churn, CHURN_KEYS)) return false;
  const fresh = churn.newPerSecond;
  const inflow = churn.timeWaitInflowPerSecond;
  return (
    isIpAddress(t.localAddress) &&
    isIpAddress(t.remoteAddress) &&
    isPort(t.remotePort) &&
    (t.processes === null || isArrayOf(t.processes, MAX_PROCESSES_PER_TUPLE, isValidProcess)) &&
    isPortCount(t.unattributedSockets) &&
    (fresh === null || isNumberIn(fresh, MAX_RATE_PER_SECOND)) &&
    (inflow === null || isNumberIn(inflow, MAX_RATE_PER_SECOND)) &&
    isRatio(churn.timeWaitShare) &&
    isVerdictList(t.verdicts)
  );
}

/** conntrackSchema. */
function isValidConntrack(c: unknown): boolean {
  if (!isPlainObject(c) || !hasExactly(c, CONNTRACK_KEYS)) return false;
  const nullableCounter = (v: unknown) => v === null || isCounter(v);
  return (
    isCounter(c.count) && isCounter(c.max) && nullableCounter(c.insertFailed) && nullableCounter(c.drop) && nullableCounter(c.earlyDrop)
  );
}

/** snatPoolSchema. */
function isValidPool(p: unknown): boolean {
  if (!isPlainObject(p) || !hasExactly(p, POOL_KEYS)) return false;
  return (
    isIpAddress(p.translatedAddress) &&
    isIpAddress(p.remoteAddress) &&
    isPort(p.remotePort) &&
    isPortCount(p.portsInUse) &&
    isIntIn(p.capacity, 1, MAX_PORT) &&
    isRatio(p.pressure)
  );
}

/** snatSchema (its port range is a portRangeSchema twin, refine included). */
function isValidSnat(s: unknown): boolean {
  if (!isPlainObject(s) || !hasExactly(s, SNAT_KEYS)) return false;
  return (s.portRange === null || isValidRange(s.portRange)) && isArrayOf(s.pools, MAX_SNAT_POOLS, isValidPool) && isCounter(s.poolCount);
}

/** kernelCounterDeltaSchema. */
function isValidCounterDelta(k: unknown): boolean {
  return isPlainObject(k) && hasExactly(k, COUNTER_KEYS) && KERNEL_COUNTER_SET.has(k.name) && isCounter(k.delta);
}

/** diagnosticsSchema. */
function isValidDiagnostics(d: unknown): boolean {
  if (!isPlainObject(d) || !hasExactly(d, DIAGNOSTICS_KEYS)) return false;
  const { intervalSeconds, attributedAt } = d;
  return (
    (intervalSeconds === null || isNumberIn(intervalSeconds, 86_400)) &&
    (attributedAt === null || (typeof attributedAt === 'string' && ATTRIBUTED_AT_PATTERN.test(attributedAt))) &&
    isArrayOf(d.tuples, MAX_DIAGNOSED_TUPLES, isValidTupleDiagnosis) &&
    isVerdictList(d.verdicts) &&
    (d.conntrack === null || isValidConntrack(d.conntrack)) &&
    (d.snat === null || isValidSnat(d.snat)) &&
    isArrayOf(d.kernel, KERNEL_COUNTERS.length, isValidCounterDelta)
  );
}

/**
 * True only when `snapshotSchema.safeParse(value)` would succeed with an output deep-equal to
 * `value` (nothing stripped, defaulted or transformed), so the caller may use `value` as is and
 * skip zod. False means "ask zod": the frame may still be valid (e.g. with unknown keys, which zod
 * strips). Allocates nothing. Meant for JSON.parse output; see the notes at the top of this file.
 */
export function isValidSnapshotFast(value: unknown): value is Snapshot {
  if (!isPlainObject(value)) return false;
  let keys = 0;
  for (const k in value) {
    if (!hasOwn.call(value, k)) return false;
    switch (k) {
      case 'type':
      case 'seq':
      case 'takenAt':
      case 'report':
        keys++;
        break;
      default:
        return false;
    }
  }
  const takenAt = value.takenAt;
  return (
    keys === 4 &&
    value.type === 'snapshot' &&
    // seqSchema: int (safe integer, so at most Number.MAX_SAFE_INTEGER) and min(1)
    isIntIn(value.seq, 1, Number.MAX_SAFE_INTEGER) &&
    typeof takenAt === 'string' &&
    TAKEN_AT_PATTERN.test(takenAt) &&
    isValidReport(value.report)
  );
}
