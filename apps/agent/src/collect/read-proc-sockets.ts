import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { DomainError, parseProcNet } from '@portpressure/domain';
import type { PortBounds, SocketRecord } from '@portpressure/domain';
import { CollectError, errnoCode } from './collect-error.ts';

export interface SocketTable {
  tcp: SocketRecord[];
  udp: SocketRecord[];
}

/** One buffer for all reads: large reads mean few passes through the kernel's seq_file iterator. */
const CHUNK_BYTES = 1 << 20;

/**
 * Reads /proc/net/{tcp,tcp6,udp,udp6} of the current network namespace. The kernel cannot filter
 * these files, so every socket is read, but only those with a local port in `bounds` are decoded.
 * Files are parsed chunk by chunk so memory stays flat on hosts with large tables. A missing
 * tcp6/udp6 means IPv6 is disabled and is not an error.
 */
export async function readProcSockets(procNetDir: string, bounds: PortBounds, littleEndian: boolean): Promise<SocketTable> {
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  const tcp: SocketRecord[] = [];
  const udp: SocketRecord[] = [];
  // Sequential on purpose: they share one buffer, and the kernel work dominates anyway.
  await readTable(join(procNetDir, 'tcp'), 4, false, tcp);
  await readTable(join(procNetDir, 'tcp6'), 6, true, tcp);
  await readTable(join(procNetDir, 'udp'), 4, false, udp);
  await readTable(join(procNetDir, 'udp6'), 6, true, udp);
  return { tcp, udp };

  async function readTable(path: string, family: 4 | 6, optional: boolean, into: SocketRecord[]): Promise<void> {
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if (optional && errnoCode(error) === 'ENOENT') return;
      throw new CollectError('PROC_UNREADABLE', `cannot read ${path}: ${(error as Error).message}`, { cause: error });
    }
    try {
      let carry = '';
      for (;;) {
        let bytesRead: number;
        try {
          ({ bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null));
        } catch (error) {
          throw new CollectError('PROC_UNREADABLE', `cannot read ${path}: ${(error as Error).message}`, { cause: error });
        }
        if (bytesRead === 0) break;
        const text = carry + buffer.toString('latin1', 0, bytesRead);
        const lastNewline = text.lastIndexOf('\n');
        if (lastNewline === -1) {
          carry = text;
          continue;
        }
        parse(text.slice(0, lastNewline + 1));
        carry = text.slice(lastNewline + 1);
      }
      if (carry.trim() !== '') parse(carry);
    } finally {
      await handle.close();
    }

    function parse(text: string): void {
      try {
        parseProcNet(text, { family, localPorts: bounds, littleEndian }, into);
      } catch (error) {
        if (error instanceof DomainError) throw new CollectError('MALFORMED_OUTPUT', `${path}: ${error.message}`, { cause: error });
        throw error;
      }
    }
  }
}
