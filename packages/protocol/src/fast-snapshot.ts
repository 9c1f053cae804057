import { DIAGNOSIS_LIMITS, diagnosticsSchema, KERNEL_COUNTERS, VERDICT_CODES } from './diagnostics.ts';
import { MAX_NAMESPACES_PER_SNAPSHOT, snapshotSchema, type Snapshot, type SnapshotV2 } from './messages.ts';
import { CONTAINER_RUNTIMES } from './namespaces.ts';
import { codePointLength, isIpAddress } from './wire-checks.ts';
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
const RUNTIME_SET: ReadonlySet<unknown> = new Set<unknown>(CONTAINER_RUNTIMES);
/** namespaceInfoSchema.containers' .max(). */
const MAX_CONTAINERS = 64;
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

/** printable(max).nullable(). */
function isNullablePrintable(value: unknown, max: number): boolean {
  return value === null || isPrintable(value, max);
}

/** A string of exactly `length` characters, each a lower-case hex digit (or '-' when `dash`). */
function isLowerHex(value: unknown, length: number, dash: boolean): boolean {
  if (typeof value !== 'string' || value.length !== length) return false;
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (dash && c === 0x2d))) return false;
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
  return isIntIn(value, 0, DIAGNOSIS_LIMITS.counter);
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
    isIntIn(p.pid, 1, DIAGNOSIS_LIMITS.pid) &&
    isPrintable(p.command, 64) &&
    isPrintable(p.user, 64) &&
    isIntIn(p.uid, 0, DIAGNOSIS_LIMITS.uid) &&
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
    isPrintable(v.text, DIAGNOSIS_LIMITS.text, true) &&
    isArrayOf(v.advice, DIAGNOSIS_LIMITS.advicePerVerdict, (a) => isPrintable(a, DIAGNOSIS_LIMITS.text, true))
  );
}

function isVerdictList(value: unknown): boolean {
  return isArrayOf(value, DIAGNOSIS_LIMITS.verdicts, isValidVerdict);
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
    (t.processes === null || isArrayOf(t.processes, DIAGNOSIS_LIMITS.processesPerTuple, isValidProcess)) &&
    isPortCount(t.unattributedSockets) &&
    (fresh === null || isNumberIn(fresh, DIAGNOSIS_LIMITS.ratePerSecond)) &&
    (inflow === null || isNumberIn(inflow, DIAGNOSIS_LIMITS.ratePerSecond)) &&
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
  return (
    (s.portRange === null || isValidRange(s.portRange)) &&
    isArrayOf(s.pools, DIAGNOSIS_LIMITS.snatPools, isValidPool) &&
    isCounter(s.poolCount)
  );
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
    isArrayOf(d.tuples, DIAGNOSIS_LIMITS.tuples, isValidTupleDiagnosis) &&
    isVerdictList(d.verdicts) &&
    (d.conntrack === null || isValidConntrack(d.conntrack)) &&
    (d.snat === null || isValidSnat(d.snat)) &&
    isArrayOf(d.kernel, KERNEL_COUNTERS.length, isValidCounterDelta)
  );
}

const POD_KEYS = ['name', 'namespace', 'uid'] as const;
const CONTAINER_KEYS = ['runtime', 'id', 'name'] as const;
const NAMESPACE_KEYS = ['inode', 'name', 'host', 'processes', 'pod', 'containers'] as const;
const NAMESPACE_REPORT_KEYS = ['namespace', 'report'] as const;
const SNAPSHOT_V2_KEYS = ['type', 'seq', 'takenAt', 'report', 'namespace', 'namespaces', 'skipped'] as const;

/** namespacePodSchema. */
function isValidPod(p: unknown): boolean {
  return (
    isPlainObject(p) &&
    hasExactly(p, POD_KEYS) &&
    isNullablePrintable(p.name, 253) &&
    isNullablePrintable(p.namespace, 253) &&
    (p.uid === null || isLowerHex(p.uid, 36, true))
  );
}

/** namespaceContainerSchema. */
function isValidContainer(c: unknown): boolean {
  return (
    isPlainObject(c) &&
    hasExactly(c, CONTAINER_KEYS) &&
    (c.runtime === null || RUNTIME_SET.has(c.runtime)) &&
    isLowerHex(c.id, 64, false) &&
    isNullablePrintable(c.name, 253)
  );
}

/** namespaceInfoSchema; `host` must be the given value (the v2 snapshot's refines). */
function isValidNamespaceInfo(n: unknown, host: boolean): n is { inode: number } {
  if (!isPlainObject(n) || !hasExactly(n, NAMESPACE_KEYS)) return false;
  const containers = n.containers;
  if (
    !isIntIn(n.inode, 1, Number.MAX_SAFE_INTEGER) ||
    !isNullablePrintable(n.name, 255) ||
    n.host !== host ||
    !isIntIn(n.processes, 0, Number.MAX_SAFE_INTEGER) ||
    !(n.pod === null || isValidPod(n.pod)) ||
    !Array.isArray(containers) ||
    containers.length > MAX_CONTAINERS
  ) {
    return false;
  }
  for (let i = 0; i < containers.length; i++) if (!isValidContainer(containers[i])) return false;
  return true;
}

/**
 * True only when `snapshotV2Schema.safeParse(value)` would succeed with an output deep-equal to
 * `value`: the version 1 checks of the frame and its report, every namespace's info and report, and
 * the three refines (own namespace host, others not, every inode once). Unlike the version 1 check
 * it allocates one Set, for the inodes.
 */
export function isValidSnapshotV2Fast(value: unknown): value is SnapshotV2 {
  if (!isPlainObject(value) || !hasExactly(value, SNAPSHOT_V2_KEYS)) return false;
  const takenAt = value.takenAt;
  const own = value.namespace;
  const namespaces = value.namespaces;
  const skipped = value.skipped;
  if (
    value.type !== 'snapshot' ||
    !isIntIn(value.seq, 1, Number.MAX_SAFE_INTEGER) ||
    typeof takenAt !== 'string' ||
    !TAKEN_AT_PATTERN.test(takenAt) ||
    !isValidReport(value.report) ||
    !isValidNamespaceInfo(own, true) ||
    !Array.isArray(namespaces) ||
    namespaces.length > MAX_NAMESPACES_PER_SNAPSHOT ||
    !Array.isArray(skipped) ||
    skipped.length > MAX_NAMESPACES_PER_SNAPSHOT
  ) {
    return false;
  }
  const inodes = new Set<number>([own.inode]);
  for (let i = 0; i < namespaces.length; i++) {
    const entry: unknown = namespaces[i];
    if (!isPlainObject(entry) || !hasExactly(entry, NAMESPACE_REPORT_KEYS)) return false;
    const info = entry.namespace;
    if (!isValidNamespaceInfo(info, false) || !isValidReport(entry.report)) return false;
    inodes.add(info.inode);
  }
  for (let i = 0; i < skipped.length; i++) {
    const inode: unknown = skipped[i];
    if (!isIntIn(inode, 1, Number.MAX_SAFE_INTEGER)) return false;
    inodes.add(inode);
  }
  return inodes.size === 1 + namespaces.length + skipped.length;
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
