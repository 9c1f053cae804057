import { describe, expect, it } from 'vitest';
import { parseProcNet } from './parse-proc-net.ts';
import { parseSs } from './parse-ss.ts';
import { buildPortReport } from './port-accounting.ts';
import type { SocketRecord } from './socket-record.ts';
import { accountingInput, clientSockets, listener, socket } from './test-factories.ts';

// Renders the same sockets the way /proc/net/tcp{,6} and `ss -tanH` would, so that the two
// parsers can be checked against each other without a kernel (the netns tests do it with one).

const STATE_CODES: Record<string, string> = { ESTABLISHED: '01', TIME_WAIT: '06', LISTEN: '0A', FIN_WAIT2: '05', CLOSE_WAIT: '08' };
const SS_NAMES: Record<string, string> = {
  ESTABLISHED: 'ESTAB',
  TIME_WAIT: 'TIME-WAIT',
  LISTEN: 'LISTEN',
  FIN_WAIT2: 'FIN-WAIT-2',
  CLOSE_WAIT: 'CLOSE-WAIT',
};

function hexWordLe(bytes: number[]): string {
  return bytes
    .slice()
    .reverse()
    .map((b) => b.toString(16).padStart(2, '0').toUpperCase())
    .join('');
}

function v6Bytes(address: string): number[] {
  const [head = '', tail = ''] = address.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const h = parse(head);
  const t = parse(tail);
  const words = address.includes('::') ? [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t] : h;
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

function procAddress(address: string, family: 4 | 6): string {
  if (family === 4) return hexWordLe(address.split('.').map(Number));
  const bytes = address.includes('.') ? [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...address.split('.').map(Number)] : v6Bytes(address);
  return [0, 4, 8, 12].map((i) => hexWordLe(bytes.slice(i, i + 4))).join('');
}

function procLine(s: SocketRecord, slot: number, family: 4 | 6): string {
  const port = (p: number) => p.toString(16).padStart(4, '0').toUpperCase();
  const timer =
    s.state === 'TIME_WAIT' ? `03:${((s.timeWaitSecondsLeft ?? 0) * 100 + 37).toString(16).padStart(8, '0').toUpperCase()}` : '00:00000000';
  return `${String(slot).padStart(4)}: ${procAddress(s.localAddress, family)}:${port(s.localPort)} ${procAddress(s.remoteAddress, family)}:${port(s.remotePort)} ${STATE_CODES[s.state]} 00000000:00000000 ${timer} 00000000     0        0 1 1 0000000000000000 20 0 0 10 -1`;
}

function ssEndpoint(address: string, port: number, v6: boolean): string {
  const shown = v6 && address.includes('.') ? `[::ffff:${address}]` : v6 ? `[${address}]` : address;
  return `${shown}:${port === 0 ? '*' : port}`;
}

function ssLine(s: SocketRecord, v6: boolean): string {
  const timer = s.state === 'TIME_WAIT' ? ` timer:(timewait,${s.timeWaitSecondsLeft ?? 0}sec,0)` : '';
  return `${SS_NAMES[s.state]}  0  0   ${ssEndpoint(s.localAddress, s.localPort, v6)}   ${ssEndpoint(s.remoteAddress, s.remotePort, v6)}${timer}`;
}

describe('the /proc and ss parsers agree', () => {
  it('produce the same report for the same mixed socket table', () => {
    const v4 = [
      listener(5000, '127.0.0.1'),
      listener(40050, '0.0.0.0'),
      ...clientSockets(30),
      ...clientSockets(10, { state: 'TIME_WAIT', timeWaitSecondsLeft: 41 }, 40030),
      ...clientSockets(5, { state: 'TIME_WAIT', timeWaitSecondsLeft: 59 }, 40060),
      socket({ localPort: 40050, remotePort: 40070, remoteAddress: '127.0.0.1' }),
      socket({ localPort: 5000, remotePort: 40001 }),
    ];
    const v6 = [
      ...clientSockets(20, { localAddress: '::1', remoteAddress: '::1' }),
      ...clientSockets(7, { localAddress: '127.0.0.1', remoteAddress: '127.0.0.1', state: 'CLOSE_WAIT' }, 40070),
      ...clientSockets(3, { localAddress: '2001:db8::1:0:0:1', remoteAddress: 'fe80::1', remotePort: 443, state: 'FIN_WAIT2' }, 40090),
    ];
    const procText = ['  sl  local_address rem_address   st ...', ...v4.map((s, i) => procLine(s, i, 4))].join('\n');
    const proc6Text = ['  sl  local_address remote_address st ...', ...v6.map((s, i) => procLine(s, i, 6))].join('\n');
    const ssText = [...v4.map((s) => ssLine(s, false)), ...v6.map((s) => ssLine(s, true))].join('\n');

    const range = { low: 40000, high: 40099 };
    const procColumns = parseProcNet(procText, { family: 4, localPorts: range });
    parseProcNet(proc6Text, { family: 6, localPorts: range }, procColumns);
    const fromProc = procColumns.toRecords();
    const fromSs = parseSs(ssText, { localPorts: range }).tcp.toRecords();

    expect(fromSs).toEqual(fromProc);
    const procReport = buildPortReport(accountingInput({ tcp: fromProc }));
    const ssReport = buildPortReport(accountingInput({ tcp: fromSs, source: 'proc' }));
    expect(ssReport).toEqual(procReport);
    expect(procReport.tupleCount).toBe(3);
    expect(procReport.tuples[0]).toMatchObject({ used: 52, timeWait: 15, reclaimable: 10 });
  });
});
