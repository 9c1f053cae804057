import type { Sysctls } from '@portpressure/protocol';
import type { PortAccountingInput } from './port-accounting.ts';
import type { SocketRecord } from './socket-record.ts';

// Small factories for the specs beside this file. Not exported from index.ts.

export function sysctls(overrides: Partial<Sysctls> = {}): Sysctls {
  return { tcpTwReuse: 2, tcpTwReuseDelayMs: 1000, tcpTimestamps: 1, tcpFinTimeout: 60, tcpMaxTwBuckets: 262144, ...overrides };
}

export function socket(overrides: Partial<SocketRecord> = {}): SocketRecord {
  return {
    state: 'ESTABLISHED',
    localAddress: '127.0.0.1',
    localPort: 40000,
    remoteAddress: '127.0.0.1',
    remotePort: 5000,
    timeWaitSecondsLeft: null,
    ...overrides,
  };
}

/** `count` client sockets of one tuple on consecutive local ports from `firstPort`. */
export function clientSockets(count: number, overrides: Partial<SocketRecord> = {}, firstPort = 40000): SocketRecord[] {
  return Array.from({ length: count }, (_, i) => socket({ ...overrides, localPort: firstPort + i }));
}

export function listener(port: number, address = '0.0.0.0'): SocketRecord {
  return socket({
    state: 'LISTEN',
    localAddress: address,
    localPort: port,
    remoteAddress: address.includes(':') ? '::' : '0.0.0.0',
    remotePort: 0,
  });
}

export function accountingInput(overrides: Partial<PortAccountingInput> = {}): PortAccountingInput {
  return {
    source: 'proc',
    range: { low: 40000, high: 40099 },
    reservedPorts: '',
    sysctls: sysctls(),
    tcp: [],
    udp: [],
    ...overrides,
  };
}
