import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The conntrack table's figures as read, before deltas. */
export interface ConntrackReading {
  count: number;
  max: number;
  /** Sums over CPUs of the kernel's statistics; null when the statistics file is missing. */
  insertFailed: number | null;
  drop: number | null;
  earlyDrop: number | null;
}

/**
 * Reads the conntrack table of the current network namespace: `nf_conntrack_count` and
 * `nf_conntrack_max` under /proc/sys/net/netfilter, and /proc/net/stat/nf_conntrack, one line of
 * hexadecimal counters per CPU under a header naming the columns (summed here; the header is read,
 * not assumed, because kernels have added and removed columns), or `conntrack -S` where the kernel
 * has no such file. Null when the namespace has no conntrack table (the module is not loaded).
 */
export async function readConntrack(sysctlDir: string, procNetDir: string, conntrackCommand: string): Promise<ConntrackReading | null> {
  const count = readNumber(join(sysctlDir, 'nf_conntrack_count'));
  const max = readNumber(join(sysctlDir, 'nf_conntrack_max'));
  if (count === null || max === null) return null;
  const stats = readStats(join(procNetDir, 'stat', 'nf_conntrack')) ?? (await conntrackStats(conntrackCommand));
  return {
    count,
    max,
    insertFailed: stats?.get('insert_failed') ?? null,
    drop: stats?.get('drop') ?? null,
    earlyDrop: stats?.get('early_drop') ?? null,
  };
}

function readNumber(file: string): number | null {
  try {
    const value = Number(readFileSync(file, 'utf8').trim());
    return Number.isSafeInteger(value) && value >= 0 ? value : null;
  } catch {
    return null;
  }
}

/** Column sums of /proc/net/stat/nf_conntrack by column name. */
export function parseConntrackStats(text: string): Map<string, number> | null {
  const [header, ...rows] = text.split('\n').filter((line) => line.trim() !== '');
  if (!header) return null;
  const names = header.trim().split(/\s+/);
  const sums = new Map<string, number>(names.map((name) => [name, 0]));
  for (const row of rows) {
    row
      .trim()
      .split(/\s+/)
      .forEach((hex, i) => {
        const name = names[i];
        const value = Number.parseInt(hex, 16);
        if (name !== undefined && Number.isFinite(value)) sums.set(name, (sums.get(name) ?? 0) + value);
      });
  }
  return sums;
}

/** Sums of the `key=value` counters of `conntrack -S` (one line per CPU), by key. */
export function parseConntrackS(text: string): Map<string, number> | null {
  const sums = new Map<string, number>();
  for (const [, key, value] of text.matchAll(/([a-z_]+)=(\d+)/g)) {
    if (key && key !== 'cpu') sums.set(key, (sums.get(key) ?? 0) + Number(value));
  }
  return sums.size > 0 ? sums : null;
}

function conntrackStats(command: string): Promise<Map<string, number> | null> {
  return new Promise((resolve) => {
    execFile(command, ['-S'], { timeout: 10_000 }, (error, stdout) => resolve(error ? null : parseConntrackS(stdout)));
  });
}

function readStats(file: string): Map<string, number> | null {
  try {
    return parseConntrackStats(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}
