import { type Dir, closeSync, opendirSync, openSync, readFileSync, readSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ipv4FromProcHex, ipv6FromProcHex } from '@portpressure/domain';
import { DIAGNOSIS_LIMITS } from '@portpressure/protocol/agent-constants';
import type { TupleProcess } from '@portpressure/protocol/diagnostics';
import { workloadFromCgroupFile } from '../namespaces/describe-workload.ts';
import { safeReaddir } from '../namespaces/discover-namespaces.ts';
import { type TupleKey, nameOf } from './tuple-churn.ts';

/** Where attribution reads; tests and the namespace walker may point it elsewhere. */
export interface AttributionEnvironment {
  /** /proc/net of the measured namespace (its tcp and tcp6 carry the socket inodes). */
  procNetDir: string;
  /** The /proc whose pids' file descriptors are searched (the host's, to see every process). */
  procDir: string;
  passwdFile: string;
}

export interface TupleAttribution {
  /** Processes holding the tuple's sockets, most sockets first (at most DIAGNOSIS_LIMITS.processesPerTuple). */
  processes: TupleProcess[];
  /** Sockets of the tuple outside TIME_WAIT whose process was not found. */
  unattributedSockets: number;
}

export interface AttributionCost {
  /** Sockets of the tuples looked up. */
  sockets: number;
  /** Processes of the namespace whose descriptors were read. */
  processes: number;
  descriptors: number;
}

const CHUNK_BYTES = 1 << 16;
const TIME_WAIT_CODE = 6;
const LISTEN_CODE = 10;
const SOCKET_PREFIX = 'socket:[';

/**
 * Which processes hold the sockets of `tuples`, from the socket inodes: the tuples' sockets are
 * looked up in /proc/net/tcp{,6} (TIME_WAIT entries have no inode and no owner), then the file
 * descriptors of every process in the measured network namespace are read once (`readlink /proc/<pid>/fd/<n>` gives `socket:[inode]`).
 * That is what `ss -p` does too, but `ss` reads every process's descriptors for every socket it
 * prints; here the lookup is a binary search in a sorted array of the wanted inodes (four bytes per
 * socket, plus one for its tuple).
 *
 * Synchronous on purpose, like the /proc socket reader: tens of thousands of readlink calls sent
 * through libuv's thread pool cost more than the work itself. The caller runs it periodically.
 */
export function attributeProcesses(
  tuples: readonly TupleKey[],
  environment: AttributionEnvironment,
  cost?: AttributionCost,
): TupleAttribution[] {
  const wanted = readTupleInodes(tuples, environment.procNetDir);
  const { inodes, slots } = wanted;
  const found = new Uint8Array(inodes.length);
  /** Per pid: socket counts by tuple slot. */
  const holders = new Map<number, Map<number, number>>();
  let processes = 0;
  let descriptors = 0;
  const namespace = safeReadlink(join(environment.procDir, 'self', 'ns', 'net'));
  for (const entry of safeReaddir(environment.procDir)) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    // Only processes of the measured namespace: they hold its sockets (one that made a socket and
    // then moved to another namespace is the rare exception, counted as unattributed), and a busy
    // host's other namespaces can hold most of its descriptors.
    if (namespace !== null && safeReadlink(join(environment.procDir, entry, 'ns', 'net')) !== namespace) continue;
    processes++;
    const fdDir = join(environment.procDir, entry, 'fd');
    const prefix = `${fdDir}/`;
    for (const fd of descriptorNames(fdDir)) {
      descriptors++;
      let link: string;
      try {
        link = readlinkSync(prefix + fd);
      } catch {
        continue; // closed meanwhile
      }
      const inode = socketInode(link);
      if (inode < 0) continue;
      const at = binarySearch(inodes, inode);
      if (at < 0) continue;
      found[at] = 1;
      const slot = slots[at] ?? 0;
      let counts = holders.get(pid);
      if (!counts) holders.set(pid, (counts = new Map()));
      counts.set(slot, (counts.get(slot) ?? 0) + 1);
    }
  }
  if (cost) {
    cost.sockets = inodes.length;
    cost.processes = processes;
    cost.descriptors = descriptors;
  }

  const users = new UserNames(environment.passwdFile);
  const results: TupleAttribution[] = tuples.map(() => ({ processes: [], unattributedSockets: 0 }));
  for (let i = 0; i < inodes.length; i++) {
    const result = results[slots[i] ?? 0];
    if (found[i] === 0 && result) result.unattributedSockets++;
  }
  for (const [pid, counts] of holders) {
    const info = describeProcess(environment.procDir, pid, users);
    if (!info) {
      // Exited between the two reads: its sockets count as unattributed.
      for (const [slot, n] of counts) {
        const result = results[slot];
        if (result) result.unattributedSockets += n;
      }
      continue;
    }
    for (const [slot, sockets] of counts) results[slot]?.processes.push({ ...info, sockets });
  }
  for (const result of results) {
    result.processes.sort((a, b) => b.sockets - a.sockets || a.pid - b.pid);
    for (const dropped of result.processes.splice(DIAGNOSIS_LIMITS.processesPerTuple)) result.unattributedSockets += dropped.sockets;
  }
  return results;
}

/**
 * Inodes of the tuples' sockets outside TIME_WAIT and LISTEN, sorted, with each one's tuple slot.
 *
 * /proc/net/tcp{,6} of a busy namespace is megabytes of text, read here in 64 KiB chunks and
 * parsed as bytes: no string per line. A line's remote port, state and inode are read at their
 * offsets; only a line to one of the tuples' remote ports makes a string, its two addresses in
 * /proc's hex, looked up in a cache of the few address pairs seen (decoded once each).
 */
function readTupleInodes(tuples: readonly TupleKey[], procNetDir: string): { inodes: Uint32Array; slots: Uint8Array } {
  const slotByName = new Map<string, number>();
  tuples.forEach((t, slot) => slotByName.set(nameOf(t), slot));
  const remotePorts = new Set(tuples.map((t) => t.remotePort));
  // inode × 256 + slot (exact in a double: inodes are 32-bit, slots fewer than 256), sorted at the end.
  let found = new Float64Array(1024);
  let count = 0;
  for (const [file, family] of [
    ['tcp', 4],
    ['tcp6', 6],
  ] as const) {
    const addrLen = family === 4 ? 8 : 32;
    const decode = family === 4 ? ipv4FromProcHex : ipv6FromProcHex;
    /** /proc hex of local address + remote address and port → tuple slot, or -1 for none. */
    const slotByHex = new Map<string, number>();
    forEachLineBytes(join(procNetDir, file), (buf, start, end) => {
      const colon = buf.indexOf(COLON, start);
      if (colon < 0 || colon + 16 + 2 * addrLen > end) return;
      const remoteAt = colon + 8 + addrLen;
      const peerPort = hexValue(buf, remoteAt + addrLen + 1, remoteAt + addrLen + 5);
      if (!remotePorts.has(peerPort)) return;
      const stateAt = remoteAt + addrLen + 6;
      const state = hexValue(buf, stateAt, stateAt + 2);
      if (state < 0 || state === TIME_WAIT_CODE || state === LISTEN_CODE) return;
      // The inode is the seventh field from the state: st, tx:rx, tr:when, retrnsmt, uid, timeout, inode.
      let at = stateAt;
      for (let field = 0; field < 6; field++) {
        while (at < end && buf[at] !== SPACE) at++;
        while (at < end && buf[at] === SPACE) at++;
      }
      let inode = 0;
      let digits = 0;
      for (; at < end && buf[at]! >= ZERO && buf[at]! <= NINE; at++, digits++) inode = inode * 10 + (buf[at]! - ZERO);
      if (digits === 0 || inode <= 0 || inode > 0xffffffff) return;
      const hex = buf.toString('latin1', colon + 2, colon + 2 + addrLen) + buf.toString('latin1', remoteAt, remoteAt + addrLen + 5);
      let slot = slotByHex.get(hex);
      if (slot === undefined) {
        const localAddress = decode(hex, 0, LITTLE_ENDIAN);
        const remoteAddress = decode(hex, addrLen, LITTLE_ENDIAN);
        slot =
          localAddress === null || remoteAddress === null ? -1 : (slotByName.get(`${localAddress}|${remoteAddress}|${peerPort}`) ?? -1);
        if (slotByHex.size < 4096) slotByHex.set(hex, slot);
      }
      if (slot < 0) return;
      if (count === found.length) {
        const grown = new Float64Array(found.length * 2);
        grown.set(found);
        found = grown;
      }
      found[count++] = inode * 256 + slot;
    });
  }
  const sorted = found.subarray(0, count).sort();
  const inodes = new Uint32Array(count);
  const slots = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const value = sorted[i]!;
    inodes[i] = Math.floor(value / 256);
    slots[i] = value % 256;
  }
  return { inodes, slots };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const COLON = 0x3a;
const SPACE = 0x20;
const NEWLINE = 0x0a;
const ZERO = 0x30;
const NINE = 0x39;

/** The value of the hex digits buf[start..end), or -1 if one is not a hex digit. */
function hexValue(buf: Buffer, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    const digit = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

/**
 * Calls `each` with the bounds of every line after the header (without its newline), reading the
 * file in 64 KiB chunks into one buffer; a line cut by a chunk's end is moved to its start.
 */
function forEachLineBytes(path: string, each: (buf: Buffer, start: number, end: number) => void): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return; // tcp6 is missing when IPv6 is off
  }
  try {
    let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let filled = 0;
    let header = true;
    for (;;) {
      if (filled === buffer.length) {
        // A line longer than the buffer (never in /proc/net/tcp): make room.
        const grown = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(grown, 0, 0, filled);
        buffer = grown;
      }
      const n = readSync(fd, buffer, filled, buffer.length - filled, null);
      const end = filled + n;
      let start = 0;
      for (let newline = buffer.indexOf(NEWLINE, 0); newline >= 0 && newline < end; newline = buffer.indexOf(NEWLINE, start)) {
        if (header) header = false;
        else if (newline > start) each(buffer, start, newline);
        start = newline + 1;
      }
      if (n === 0) {
        if (start < end && !header) each(buffer, start, end);
        break;
      }
      buffer.copy(buffer, 0, start, end);
      filled = end - start;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The names in a process's fd folder, read as a stream: a busy process holds tens of thousands of
 * descriptors, and one array of all their names per process added to the agent's peak memory.
 */
function* descriptorNames(fdDir: string): Generator<string> {
  let dir: Dir;
  try {
    dir = opendirSync(fdDir);
  } catch {
    return; // exited, or not ours to read
  }
  try {
    for (let entry = dir.readSync(); entry !== null; entry = dir.readSync()) yield entry.name;
  } catch {
    // exited while being read: what was read still counts
  } finally {
    dir.closeSync();
  }
}

/** The inode of a descriptor's link `socket:[inode]`, or -1 for anything else. */
function socketInode(link: string): number {
  if (!link.startsWith(SOCKET_PREFIX) || link.charCodeAt(link.length - 1) !== 93 /* ] */) return -1;
  let inode = 0;
  for (let i = SOCKET_PREFIX.length; i < link.length - 1; i++) {
    const digit = link.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return -1;
    inode = inode * 10 + digit;
  }
  return link.length - 1 > SOCKET_PREFIX.length ? inode : -1;
}

function binarySearch(sorted: Uint32Array, value: number): number {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const at = sorted[mid] ?? 0;
    if (at < value) low = mid + 1;
    else if (at > value) high = mid - 1;
    else return mid;
  }
  return -1;
}

function safeReadlink(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}

/** pid, command, user and workload of a process; null when it exited meanwhile. */
function describeProcess(procDir: string, pid: number, users: UserNames): Omit<TupleProcess, 'sockets'> | null {
  try {
    const base = join(procDir, String(pid));
    const command = sanitize(readFileSync(join(base, 'comm'), 'utf8').trim()).slice(0, 64) || '?';
    const uidLine = /^Uid:\s+(\d+)/m.exec(readFileSync(join(base, 'status'), 'utf8'));
    const uid = Number(uidLine?.[1] ?? 0);
    let container: string | null = null;
    let podUid: string | null = null;
    try {
      const workload = workloadFromCgroupFile(readFileSync(join(base, 'cgroup'), 'utf8'));
      container = workload.containerId;
      podUid = workload.podUid;
    } catch {
      // no cgroup file: not in a container as far as we can tell
    }
    return { pid, command, user: users.nameOf(uid), uid, container, podUid };
  } catch {
    return null;
  }
}

/** Control characters become '?': a process may name itself anything. */
function sanitize(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, '?');
}

/** User names from the passwd file, read once per attribution. */
class UserNames {
  private names: Map<number, string> | null = null;
  constructor(private readonly file: string) {}

  nameOf(uid: number): string {
    if (this.names === null) {
      this.names = new Map();
      try {
        for (const line of readFileSync(this.file, 'utf8').split('\n')) {
          const [name, , id] = line.split(':');
          if (name && id !== undefined && /^\d+$/.test(id) && !this.names.has(Number(id)))
            this.names.set(Number(id), sanitize(name).slice(0, 64));
        }
      } catch {
        // no passwd file (a scratch container): numeric uids
      }
    }
    return this.names.get(uid) ?? String(uid);
  }
}
