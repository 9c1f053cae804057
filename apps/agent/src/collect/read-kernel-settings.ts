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
  return parseKernelSettings({
    ip_local_port_range: readSysctl(sysctlDir, 'ip_local_port_range'),
    ip_local_reserved_ports: readSysctl(sysctlDir, 'ip_local_reserved_ports'),
    tcp_tw_reuse: readSysctl(sysctlDir, 'tcp_tw_reuse'),
    // Only since Linux 6.14; older kernels use a fixed one second.
    tcp_tw_reuse_delay: readSysctl(sysctlDir, 'tcp_tw_reuse_delay', { optional: true }),
    tcp_timestamps: readSysctl(sysctlDir, 'tcp_timestamps'),
    tcp_fin_timeout: readSysctl(sysctlDir, 'tcp_fin_timeout'),
    tcp_max_tw_buckets: readSysctl(sysctlDir, 'tcp_max_tw_buckets'),
  });
}

/** The sysctl files read, by name under net.ipv4; only tcp_tw_reuse_delay may be absent (null). */
export const KERNEL_SETTING_NAMES = [
  'ip_local_port_range',
  'ip_local_reserved_ports',
  'tcp_tw_reuse',
  'tcp_tw_reuse_delay',
  'tcp_timestamps',
  'tcp_fin_timeout',
  'tcp_max_tw_buckets',
] as const;
export type KernelSettingTexts = Record<(typeof KERNEL_SETTING_NAMES)[number], string | null>;

/**
 * Validates the sysctl texts, wherever they were read: from this process's /proc/sys, or from
 * inside another network namespace (see namespaces/measure-namespace.ts). One set of rules for both.
 */
export function parseKernelSettings(texts: KernelSettingTexts): KernelSettings {
  const required = (name: Exclude<keyof KernelSettingTexts, 'tcp_tw_reuse_delay'>): string => {
    const text = texts[name];
    if (text === null) throw new CollectError('SYSCTL_UNREADABLE', `cannot read net.ipv4.${name}`);
    return text;
  };
  const rangeText = required('ip_local_port_range');
  const reservedText = required('ip_local_reserved_ports');
  const reuse = required('tcp_tw_reuse');
  const reuseDelay = texts.tcp_tw_reuse_delay;
  const timestamps = required('tcp_timestamps');
  const finTimeout = required('tcp_fin_timeout');
  const maxTwBuckets = required('tcp_max_tw_buckets');

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
