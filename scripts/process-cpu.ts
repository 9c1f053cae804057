import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

// CPU time of the server processes, from /proc: unlike wall time it does not grow when other
// work shares the machine, so it shows what the work costs the API and PostgreSQL themselves.
const TICK_MS = 10; // USER_HZ is 100 on Linux

/**
 * User + system CPU time of a process so far, in ms (0 once it has exited); with `reaped`, that of
 * its children that exited and were waited for too (PostgreSQL's backends, once they end).
 */
export function processCpuMs(pid: number, reaped = false): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime, stime; cutime, cstime
    const ticks = Number(fields[11]) + Number(fields[12]) + (reaped ? Number(fields[13]) + Number(fields[14]) : 0);
    return ticks * TICK_MS;
  } catch {
    return 0; // exited
  }
}

/**
 * The processes of the embedded PostgreSQL started with `dataDir` (startEmbeddedPostgres): the
 * postmaster (its command line names the data folder) and its children.
 */
export function postgresPids(dataDir: string): number[] {
  const procs = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
  const master = procs.find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(path.join(dataDir, 'postgres'));
    } catch {
      return false;
    }
  });
  if (master === undefined) return [];
  return [
    master,
    ...procs.filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1] === String(master);
      } catch {
        return false;
      }
    }),
  ];
}

/** CPU time of PostgreSQL's processes together so far, in ms, backends that have ended included. */
export function postgresCpuMs(dataDir: string): number {
  const [master, ...children] = postgresPids(dataDir);
  if (master === undefined) return 0;
  return children.reduce((sum, pid) => sum + processCpuMs(pid), processCpuMs(master, true));
}
