import { closeSync, openSync, readFileSync, readSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ipv4FromProcHex, ipv6FromProcHex } from '@portpressure/domain';
import { MAX_PROCESSES_PER_TUPLE, type TupleProcess } from '@portpressure/protocol';
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
  /** Processes holding the tuple's sockets, most sockets first (at most MAX_PROCESSES_PER_TUPLE). */
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
const SOCKET_LINK = /^socket:\[(\d+)\]$/;

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
    for (const fd of safeReaddir(fdDir)) {
      descriptors++;
      let link: string;
      try {
        link = readlinkSync(join(fdDir, fd));
      } catch {
        continue; // closed meanwhile
      }
      if (link.charCodeAt(0) !== 115 /* s */) continue;
      const match = SOCKET_LINK.exec(link);
      if (!match) continue;
      const at = binarySearch(inodes, Number(match[1]));
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
    for (const dropped of result.processes.splice(MAX_PROCESSES_PER_TUPLE)) result.unattributedSockets += dropped.sockets;
  }
  return results;
}

/** Inodes of the tuples' sockets outside TIME_WAIT and LISTEN, sorted, with each one's tuple slot. */
function readTupleInodes(tuples: readonly TupleKey[], procNetDir: string): { inodes: Uint32Array; slots: Uint8Array } {
  const slotByName = new Map<string, number>();
  tuples.forEach((t, slot) => slotByName.set(nameOf(t), slot));
  const remotePorts = new Set(tuples.map((t) => t.remotePort));
  const pairs: number[] = [];
  for (const [file, family] of [
    ['tcp', 4],
    ['tcp6', 6],
  ] as const) {
    const addrLen = family === 4 ? 8 : 32;
    forEachLine(join(procNetDir, file), (line) => {
      // Most lines are other destinations: their remote port, at a fixed offset from the slot's
      // colon (see parseProcNet), rules them out before the line is split.
      const colon = line.indexOf(':');
      const peerPort = Number.parseInt(line.slice(colon + 9 + 2 * addrLen, colon + 13 + 2 * addrLen), 16);
      if (colon < 0 || !remotePorts.has(peerPort)) return;
      const fields = line.trim().split(/\s+/);
      const [, local, remote, stateHex, , , , , , inodeText] = fields;
      if (!local || !remote || !stateHex || !inodeText) return;
      const state = Number.parseInt(stateHex, 16);
      if (state === TIME_WAIT_CODE || state === LISTEN_CODE) return;
      const inode = Number(inodeText);
      if (!Number.isInteger(inode) || inode <= 0) return;
      const decode = family === 4 ? ipv4FromProcHex : ipv6FromProcHex;
      const localAddress = decode(local, 0, LITTLE_ENDIAN);
      const remoteAddress = decode(remote, 0, LITTLE_ENDIAN);
      const remotePort = Number.parseInt(remote.slice(addrLen + 1), 16);
      if (localAddress === null || remoteAddress === null) return;
      const slot = slotByName.get(`${localAddress}|${remoteAddress}|${remotePort}`);
      if (slot !== undefined) pairs.push(inode, slot);
    });
  }
  const order = Array.from({ length: pairs.length / 2 }, (_, i) => i).sort((a, b) => (pairs[2 * a] ?? 0) - (pairs[2 * b] ?? 0));
  const inodes = new Uint32Array(order.length);
  const slots = new Uint8Array(order.length);
  order.forEach((from, to) => {
    inodes[to] = pairs[2 * from] ?? 0;
    slots[to] = pairs[2 * from + 1] ?? 0;
  });
  return { inodes, slots };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Calls `each` for every line after the header, reading the file in chunks (it may be megabytes). */
function forEachLine(path: string, each: (line: string) => void): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return; // tcp6 is missing when IPv6 is off
  }
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let carry = '';
    let header = true;
    for (;;) {
      const n = readSync(fd, buffer, 0, CHUNK_BYTES, null);
      if (n === 0) break;
      const text = carry + buffer.toString('latin1', 0, n);
      const lines = text.split('\n');
      carry = lines.pop() ?? '';
      for (const line of lines) {
        if (header) header = false;
        else if (line !== '') each(line);
      }
    }
    if (carry !== '' && !header) each(carry);
  } finally {
    closeSync(fd);
  }
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
