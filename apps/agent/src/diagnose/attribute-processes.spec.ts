import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { attributeProcesses } from './attribute-processes.ts';

const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** An IPv4 address and port as /proc/net/tcp prints them (address as a host-order word). */
function hex4(address: string, port: number): string {
  const bytes = address.split('.').map(Number);
  const ordered = LITTLE_ENDIAN ? bytes.reverse() : bytes;
  return `${ordered
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase()}:${port.toString(16).padStart(4, '0').toUpperCase()}`;
}

function line(sl: number, local: string, remote: string, state: number, inode: number, uid = 1000): string {
  return `${String(sl).padStart(4)}: ${local} ${remote} ${state.toString(16).padStart(2, '0').toUpperCase()} 00000000:00000000 00:00000000 00000000 ${String(uid).padStart(5)}        0 ${inode} 1 0000000000000000 20 4 30 10 -1\n`;
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('attributeProcesses', () => {
  it("finds each tuple's sockets by inode in the processes' descriptors, reading /proc/net/tcp as bytes", () => {
    const root = mkdtempSync(join(tmpdir(), 'pp-attr-'));
    dirs.push(root);
    const net = join(root, 'net');
    const proc = join(root, 'proc');
    mkdirSync(net);
    mkdirSync(join(proc, 'self', 'ns'), { recursive: true });
    symlinkSync('net:[4026531840]', join(proc, 'self', 'ns', 'net'));
    let tcp = HEADER;
    let sl = 0;
    // 2,000 sockets of the wanted tuple (more than one 64 KiB chunk of text), every fifth in TIME_WAIT
    // (no inode to look up), and as many to another port, which must not count.
    for (let i = 0; i < 2000; i++) {
      tcp += line(sl++, hex4('10.0.0.1', 20000 + i), hex4('10.0.0.9', 5432), i % 5 === 0 ? 6 : 1, i % 5 === 0 ? 0 : 1000 + i);
      tcp += line(sl++, hex4('10.0.0.1', 40000 + i), hex4('10.0.0.9', 6379), 1, 900000 + i);
    }
    tcp += line(sl++, hex4('10.0.0.9', 5432), hex4('0.0.0.0', 0), 10, 77); // the listener
    writeFileSync(join(net, 'tcp'), tcp.slice(0, -1)); // no newline after the last line
    const makeProcess = (pid: number, command: string, inodes: number[]) => {
      const base = join(proc, String(pid));
      mkdirSync(join(base, 'fd'), { recursive: true });
      mkdirSync(join(base, 'ns'));
      symlinkSync('net:[4026531840]', join(base, 'ns', 'net'));
      writeFileSync(join(base, 'comm'), `${command}\n`);
      writeFileSync(join(base, 'status'), `Name:\t${command}\nUid:\t1000\t1000\t1000\t1000\n`);
      writeFileSync(join(base, 'cgroup'), '0::/user.slice\n');
      inodes.forEach((inode, fd) => symlinkSync(`socket:[${inode}]`, join(base, 'fd', String(fd))));
    };
    const wanted = Array.from({ length: 2000 }, (_, i) => 1000 + i).filter((_, i) => i % 5 !== 0);
    makeProcess(100, 'api', wanted.slice(0, 1000));
    makeProcess(200, 'worker', [...wanted.slice(1000, 1500), 900001, 77]);
    // A non-socket descriptor and a malformed link are skipped.
    symlinkSync('/dev/null', join(proc, '200', 'fd', '600'));
    symlinkSync('socket:[12x]', join(proc, '200', 'fd', '601'));
    writeFileSync(join(root, 'passwd'), 'app:x:1000:1000::/:/bin/sh\n');

    const cost = { sockets: 0, processes: 0, descriptors: 0 };
    const [result, other] = attributeProcesses(
      [
        { localAddress: '10.0.0.1', remoteAddress: '10.0.0.9', remotePort: 5432 },
        { localAddress: '10.0.0.2', remoteAddress: '10.0.0.9', remotePort: 6379 },
      ],
      { procNetDir: net, procDir: proc, passwdFile: join(root, 'passwd') },
      cost,
    );
    expect(cost).toEqual({ sockets: 1600, processes: 2, descriptors: 1504 });
    expect(result).toEqual({
      processes: [
        { pid: 100, command: 'api', user: 'app', uid: 1000, container: null, podUid: null, sockets: 1000 },
        { pid: 200, command: 'worker', user: 'app', uid: 1000, container: null, podUid: null, sockets: 500 },
      ],
      unattributedSockets: 100,
    });
    expect(other).toEqual({ processes: [], unattributedSockets: 0 });
  });
});
