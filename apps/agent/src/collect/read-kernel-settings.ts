import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError, assertPortRange, formatPortList, parsePortList } from '@portpressure/domain';
import type { PortRange, Sysctls } from '@portpressure/protocol';
import { CollectError, errnoCode } from './collect-error.ts';

export interface KernelSettings {
  range: PortRange;
  /** ip_local_reserved_ports, normalised. */
  reservedPorts: string;
  sysctls: Sysctls;
}

/**
 * Reads the sysctls that govern port allocation from /proc/sys/net/ipv4. These files show the
 * network namespace of the reading process, which is the namespace being measured.
 */
export async function readKernelSettings(sysctlDir: string): Promise<KernelSettings> {
  const rangeText = readSysctl(sysctlDir, 'ip_local_port_range');
  const reservedText = readSysctl(sysctlDir, 'ip_local_reserved_ports');
  const reuse = readSysctl(sysctlDir, 'tcp_tw_reuse');
  // Only since Linux 6.14; older kernels use a fixed one second.
  const reuseDelay = readSysctl(sysctlDir, 'tcp_tw_reuse_delay', { optional: true });
  const timestamps = readSysctl(sysctlDir, 'tcp_timestamps');
  const finTimeout = readSysctl(sysctlDir, 'tcp_fin_timeout');
  const maxTwBuckets = readSysctl(sysctlDir, 'tcp_max_tw_buckets');

  const [low, high, extra] = rangeText.trim().split(/\s+/).map(Number);
  const range = { low: low ?? NaN, high: high ?? NaN };
  try {
    if (extra !== undefined) throw new DomainError('INVALID_RANGE', 'more than two numbers');
    assertPortRange(range);
  } catch {
    throw new CollectError('SYSCTL_INVALID', `net.ipv4.ip_local_port_range is "${rangeText.trim()}", expected two ports "LOW HIGH"`);
  }

  let reservedPorts: string;
  try {
    reservedPorts = formatPortList(parsePortList(reservedText));
  } catch (error) {
    throw new CollectError('SYSCTL_INVALID', `net.ipv4.ip_local_reserved_ports: ${(error as Error).message}`, { cause: error });
  }

  const sysctls: Sysctls = {
    tcpTwReuse: integer('tcp_tw_reuse', reuse, 0, 2),
    tcpTwReuseDelayMs: reuseDelay === null ? null : integer('tcp_tw_reuse_delay', reuseDelay, 0, 600_000),
    tcpTimestamps: integer('tcp_timestamps', timestamps, 0, 2),
    tcpFinTimeout: integer('tcp_fin_timeout', finTimeout, 0, 86_400),
    tcpMaxTwBuckets: integer('tcp_max_tw_buckets', maxTwBuckets, 0, 2 ** 31 - 1),
  };
  return { range, reservedPorts, sysctls };
}

// Synchronous: seven one-line files cost microseconds each, less than a trip through libuv's thread pool.
function readSysctl(dir: string, name: string): string;
function readSysctl(dir: string, name: string, options: { optional: true }): string | null;
function readSysctl(dir: string, name: string, options?: { optional: true }): string | null {
  const path = join(dir, name);
  try {
    return readFileSync(path, 'latin1');
  } catch (error) {
    if (options?.optional && errnoCode(error) === 'ENOENT') return null;
    throw new CollectError('SYSCTL_UNREADABLE', `cannot read net.ipv4.${name} (${path}): ${(error as Error).message}`, { cause: error });
  }
}

function integer(name: string, text: string, min: number, max: number): number {
  const value = Number(text.trim());
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new CollectError('SYSCTL_INVALID', `net.ipv4.${name} is "${text.trim()}", expected an integer from ${min} to ${max}`);
  }
  return value;
}
