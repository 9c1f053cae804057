import { spawn } from 'node:child_process';
import { DomainError, SsParser } from '@portpressure/domain';
import type { PortBounds, SocketLists, SsParseOptions } from '@portpressure/domain';
import { chunkReleaser } from './chunk-releaser.ts';
import { CollectError, errnoCode } from './collect-error.ts';
import type { SocketTable } from './read-proc-sockets.ts';

/** `ss` answers in milliseconds; a minute means something is wrong (a hung netlink dump). */
const SS_TIMEOUT_MS = 60_000;

/**
 * Reads the socket table through NETLINK_SOCK_DIAG by running `ss` (iproute2). The source-port
 * filter is compiled by `ss` into inet_diag bytecode and run inside the kernel, so only sockets
 * whose local port is in the range are copied out and formatted; on a busy server most sockets
 * are accepted ones on a service port and never leave the kernel. `-o` adds the timer of TIME_WAIT
 * entries (what connect() may recycle depends on their age); other sockets print a timer only when
 * one is running. TCP and UDP come from one process (`-tu`, with a Netid column).
 *
 * `ss` dumps IPv4 and then IPv6, and each dump walks the whole socket hash table. Running `-4`
 * and `-6` as two processes does the same total work, but in parallel when a second core is free.
 */
export async function readSsSockets(ssCommand: string, bounds: PortBounds, into: SocketTable): Promise<SocketTable> {
  const filter = `( sport >= :${bounds.low} and sport <= :${bounds.high} )`;
  // When one run fails the other is stopped too: it must not keep writing into `into`, which the
  // caller reuses (for the /proc fallback, and for later snapshots).
  const abort = new AbortController();
  try {
    await Promise.all([
      runSs(ssCommand, ['-4', '-tuanHo', 'state', 'all', filter], { localPorts: bounds }, into, abort.signal),
      runSs(ssCommand, ['-6', '-tuanHo', 'state', 'all', filter], { localPorts: bounds }, into, abort.signal),
    ]);
  } catch (error) {
    abort.abort();
    throw error;
  }
  return into;
}

/** Shared by every run: the chunks of two parallel runs are garbage alike. */
const releaseChunk = chunkReleaser();

/** Runs `ss` and parses its output as it streams in, whole lines at a time. */
function runSs(command: string, args: string[], parseOptions: SsParseOptions, into: SocketLists, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const shown = `${command} ${args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`;
    let settled = false;
    const fail = (error: CollectError) => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(error);
    };
    signal.addEventListener('abort', () => fail(new CollectError('SS_FAILED', `${shown} was stopped`)), { once: true });
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
      timeout: SS_TIMEOUT_MS,
    });
    // Chunks go to the parser as they come; it carries a line split between two chunks.
    const parser = new SsParser(parseOptions, into);
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      if (!settled) guard(() => parser.push(chunk));
      releaseChunk(chunk.byteLength);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString('utf8');
    });
    child.on('error', (error) => {
      if (errnoCode(error) === 'ENOENT') {
        fail(new CollectError('SS_MISSING', `"${command}" was not found (install iproute2, or use the proc source)`, { cause: error }));
      } else fail(new CollectError('SS_FAILED', `cannot run ${shown}: ${error.message}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      if (settled) return;
      if (code !== 0) {
        const why = signal ? `was killed by ${signal}` : `exited with ${code}`;
        const detail = stderr.trim().split('\n')[0];
        fail(new CollectError('SS_FAILED', `${shown} ${why}${detail ? `: ${detail}` : ''}`));
        return;
      }
      guard(() => parser.end());
      if (settled) return;
      settled = true;
      resolve();
    });

    function guard(step: () => void): void {
      try {
        step();
      } catch (error) {
        const message = error instanceof DomainError ? error.message : (error as Error).message;
        fail(new CollectError('MALFORMED_OUTPUT', `${shown}: ${message}`, { cause: error }));
      }
    }
  });
}
