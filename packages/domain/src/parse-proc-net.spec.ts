import { describe, expect, it } from 'vitest';
import { DomainError } from './domain-error.ts';
import { ProcNetParser, parseProcNet } from './parse-proc-net.ts';
import { SocketColumns } from './socket-columns.ts';
import { asciiBytes } from './text-bytes.ts';

// Lines captured from Linux 6.18 in a namespace with range 40000-40099.
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1388 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 11018 1 00000000b312513b 100 0 0 10 0
   1: 00000000:9C72 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 11020 1 0000000061b773ec 100 0 0 10 0
   2: 0300007F:9C6B 0100007F:1388 01 00000000:00000000 00:00000000 00000000     0        0 11347 2 00000000fbdde29e 20 0 0 10 -1
   4: 0100007F:1388 0100007F:9C4C 01 00000000:00000000 00:00000000 00000000     0        0 11356 1 000000000d2dedd7 20 0 0 10 -1
  13: 0100007F:9C44 0100007F:1388 06 00000000:00000000 03:0000172F 00000000     0        0 0 3 00000000b74fd8ba
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:1388 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 11019 1 0000000043987815 100 0 0 10 0
   4: 0000000000000000FFFF00000100007F:9C54 0000000000000000FFFF00000100007F:1388 01 00000000:00000000 00:00000000 00000000     0        0 11342 2 000000005e684159 20 0 0 10 -1
   6: 00000000000000000000000001000000:9C46 00000000000000000000000001000000:1388 01 00000000:00000000 00:00000000 00000000     0        0 11340 2 000000006b2e0362 20 0 0 10 -1
`;
const UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
 1670: 0100007F:9CA0 0100007F:1B58 01 00000000:00000000 00:00000000 00000000     0        0 11348 2 0000000091d03896 0
`;

describe('parseProcNet', () => {
  it('decodes states, addresses and ports of /proc/net/tcp', () => {
    const records = parseProcNet(TCP, { family: 4 }).toRecords();
    expect(records).toHaveLength(5);
    expect(records[0]).toEqual({
      state: 'LISTEN',
      localAddress: '127.0.0.1',
      localPort: 5000,
      remoteAddress: '0.0.0.0',
      remotePort: 0,
      timeWaitSecondsLeft: null,
    });
    expect(records[2]).toMatchObject({ state: 'ESTABLISHED', localAddress: '127.0.0.3', localPort: 40043, remotePort: 5000 });
  });

  it('reads the time left on a TIME_WAIT entry from the timer column (1/100 s ticks, kept in whole seconds)', () => {
    const tw = parseProcNet(TCP, { family: 4 })
      .toRecords()
      .find((r) => r.state === 'TIME_WAIT');
    expect(tw).toMatchObject({ localPort: 40004, timeWaitSecondsLeft: 59 });
  });

  it('skips sockets whose local port is outside the requested bounds', () => {
    const records = parseProcNet(TCP, { family: 4, localPorts: { low: 40000, high: 40099 } }).toRecords();
    expect(records.map((r) => r.localPort)).toEqual([40050, 40043, 40004]);
  });

  it('writes IPv4-mapped tcp6 sockets as IPv4 and ::1 as ::1', () => {
    const records = parseProcNet(TCP6, { family: 6 }).toRecords();
    expect(records.map((r) => `${r.localAddress}:${r.localPort}>${r.remoteAddress}:${r.remotePort}`)).toEqual([
      '::1:5000>:::0',
      '127.0.0.1:40020>127.0.0.1:5000',
      '::1:40006>::1:5000',
    ]);
  });

  it('reads /proc/net/udp, whose slot column is one wider', () => {
    expect(parseProcNet(UDP, { family: 4 }).toRecords()).toEqual([
      {
        state: 'ESTABLISHED',
        localAddress: '127.0.0.1',
        localPort: 40096,
        remoteAddress: '127.0.0.1',
        remotePort: 7000,
        timeWaitSecondsLeft: null,
      },
    ]);
  });

  it('appends to an existing array so chunks of one file can be parsed in turn', () => {
    const into = parseProcNet(TCP, { family: 4 });
    parseProcNet(TCP6, { family: 6 }, into);
    expect(into.size).toBe(8);
  });

  it('reads the same sockets from a file read in chunks into one reused Buffer', () => {
    // Many addresses (so the address cache turns over) and a Node Buffer, whose slice() is a
    // view: the collector reuses one Buffer for every read, so nothing may keep views of it.
    const lines = Array.from({ length: 40 }, (_, i) => {
      const host = (i % 11).toString(16).padStart(2, '0').toUpperCase();
      const port = (0x9c40 + i).toString(16).toUpperCase();
      return `${String(i).padStart(4)}: ${host}00007F:${port} 0100007F:1388 01 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 20 0 0 10 -1`;
    });
    const text = `${lines.join('\n')}\n`;
    const whole = parseProcNet(text, { family: 4 }).toRecords();
    expect(new Set(whole.map((r) => r.localAddress)).size).toBe(11);
    const bytes = asciiBytes(text);
    const lineLength = (lines[0]?.length ?? 0) + 1;
    // Arbitrary cuts, and whole lines per read as seq_file hands them out (the same field then
    // sits at the same buffer offset in every read).
    for (const size of [33, 100, 4096, 3 * lineLength]) {
      const into = new SocketColumns();
      const parser = new ProcNetParser({ family: 4 }, into);
      const buffer = Buffer.alloc(size);
      for (let i = 0; i < bytes.length; i += size) {
        const chunk = bytes.subarray(i, i + size);
        buffer.set(chunk);
        parser.push(buffer.subarray(0, chunk.length));
        buffer.fill(0x58); // the reader overwrites its buffer before the next read
      }
      parser.end();
      expect(into.toRecords()).toEqual(whole);
    }
  });

  it('refuses a line that does not fit the layout, naming it', () => {
    const broken = `${TCP}  14: 0100007F:9C44 0100007F 06 00000000:00000000\n`;
    expect(() => parseProcNet(broken, { family: 4 })).toThrow(DomainError);
    expect(() => parseProcNet(broken, { family: 4 })).toThrow(/0100007F:9C44 0100007F 06/);
    expect(() => parseProcNet(TCP6, { family: 4 }).toRecords()).toThrow(/MALFORMED|not where expected|too short/);
  });

  it('refuses an unknown state code', () => {
    const line =
      '   2: 0300007F:9C6B 0100007F:1388 1F 00000000:00000000 00:00000000 00000000     0        0 11347 2 00000000fbdde29e 20 0 0 10 -1\n';
    expect(() => parseProcNet(line, { family: 4 })).toThrow(/state/);
  });
});
