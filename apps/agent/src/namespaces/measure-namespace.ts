import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { DEFAULT_MAX_TUPLES, DomainError, ProcNetParser, SocketColumns, SsParser, buildPortReport } from '@portpressure/domain';
import type { SocketSource } from '@portpressure/protocol';
import { CollectError } from '../collect/collect-error.ts';
import type { CollectResult, SourceChoice } from '../collect/collect-report.ts';
import { KERNEL_SETTING_NAMES, parseKernelSettings } from '../collect/read-kernel-settings.ts';
import type { KernelSettingTexts, KernelSettings } from '../collect/read-kernel-settings.ts';
import type { SocketTable } from '../collect/read-proc-sockets.ts';

/** Same budget as a plain `ss` run: seconds are normal on a huge table, a minute means a hung dump. */
const MEASURE_TIMEOUT_MS = 60_000;

/** Tools the measurement runs; tests and the benchmark keep the defaults. */
export interface NamespaceTools {
  nsenterCommand: string;
  ssCommand: string;
  littleEndian: boolean;
}

/** The namespace is gone (its last process exited, or `ip netns del`) while it was being measured. */
export class NamespaceGoneError extends Error {
  override readonly name = 'NamespaceGoneError';
}

/**
 * The shell run inside the namespace. Node cannot call setns(2) itself, so `nsenter --net=FILE`
 * enters the namespace and execs this script, which prints the sysctls that govern allocation (as
 * seen from inside: /proc/sys/net shows the namespace of the reader), then execs `ss` with the
 * same in-kernel source-port filter as the host measurement, or prints /proc/net's tables. One
 * process chain per namespace (nsenter → sh → ss) keeps the cost next to running `ss` there.
 * The sysctls come from one `head -v` (one process for all, a "==> name <==" line before each;
 * the shell's `read` cannot be used: sysctl files answer its byte-sized reads with garbage), and
 * the range for the filter is cut out of that text by the shell itself. Sections are introduced
 * by lines starting with "@@", which neither ss nor /proc/net print.
 */
const SCRIPT_SETTINGS = `ss=$0 d=/proc/sys/net/ipv4
s=$(cd "$d" && head -v -n 1 ${KERNEL_SETTING_NAMES.join(' ')} 2>/dev/null)
printf '%s\\n' "$s"
r=\${s#*ip_local_port_range <==
}
r=\${r%%
*}
set -- $r`;
const SCRIPT_SS = `${SCRIPT_SETTINGS}
printf '@@ss\\n'
exec "$ss" -tuanHo state all "( sport >= :$1 and sport <= :$2 )"`;
const SCRIPT_PROC = `${SCRIPT_SETTINGS}
for t in tcp tcp6 udp udp6; do printf '@@%s\\n' "$t"; cat "/proc/net/$t" 2>/dev/null; done`;

const PROC_SECTIONS = {
  tcp: { family: 4, udp: false },
  tcp6: { family: 6, udp: false },
  udp: { family: 4, udp: true },
  udp6: { family: 6, udp: true },
} as const;

export interface MeasureTarget {
  /** A file that opens the namespace: /proc/<pid>/ns/net or a bind mount such as /run/netns/NAME. */
  path: string;
  /** Its inode, to tell "gone" from "replaced by another namespace at the same path". */
  inode: number;
}

/**
 * Measures another network namespace by exactly the rules of collectReport: the same sysctls and
 * their validation, the same socket filter and parsers, the same report. `auto` falls back from
 * ss to /proc/net (read inside the namespace) with a warning, as on the host.
 * Throws NamespaceGoneError when the namespace disappears meanwhile, CollectError otherwise.
 */
export async function measureNamespace(
  target: MeasureTarget,
  options: { source?: SourceChoice; maxTuples?: number },
  tools: NamespaceTools,
): Promise<CollectResult> {
  const source = options.source ?? 'auto';
  const maxTuples = options.maxTuples ?? DEFAULT_MAX_TUPLES;
  const warnings: string[] = [];
  const attempt = async (mode: SocketSource) => {
    try {
      return await runInNamespace(target, mode, tools);
    } catch (error) {
      if (!stillThere(target))
        throw new NamespaceGoneError(`network namespace ${target.inode} disappeared while it was measured`, { cause: error });
      throw error;
    }
  };
  let measured: { settings: KernelSettings; table: SocketTable; source: SocketSource };
  if (source === 'proc') measured = await attempt('proc');
  else {
    try {
      measured = await attempt('netlink');
    } catch (error) {
      if (source === 'netlink' || !(error instanceof CollectError) || error.code === 'SYSCTL_INVALID' || error.code === 'SYSCTL_UNREADABLE')
        throw error;
      warnings.push(`netlink source unavailable (${error.message}); read /proc/net instead`);
      measured = await attempt('proc');
    }
  }
  const { settings, table } = measured;
  const report = buildPortReport({ source: measured.source, ...settings, tcp: table.tcp, udp: table.udp, maxTuples });
  return { report, warnings };
}

function stillThere(target: MeasureTarget): boolean {
  try {
    return statSync(target.path).ino === target.inode;
  } catch {
    return false;
  }
}

function runInNamespace(
  target: MeasureTarget,
  mode: SocketSource,
  tools: NamespaceTools,
): Promise<{ settings: KernelSettings; table: SocketTable; source: SocketSource }> {
  const table: SocketTable = { tcp: new SocketColumns(), udp: new SocketColumns() };
  const args = [`--net=${target.path}`, '--', 'sh', '-c', mode === 'netlink' ? SCRIPT_SS : SCRIPT_PROC, tools.ssCommand];
  const shown = `${tools.nsenterCommand} --net=${target.path} (${mode === 'netlink' ? 'ss' : '/proc/net'})`;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(error);
    };
    const child = spawn(tools.nsenterCommand, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
      timeout: MEASURE_TIMEOUT_MS,
    });
    let header = '';
    let settings: KernelSettings | undefined;
    let section: { push: (b: Uint8Array) => void; end: () => void } | undefined;
    let carry: Buffer | undefined;
    let stderr = '';

    const openSection = (name: string) => {
      if (settings === undefined) {
        settings = parseKernelSettings(parseHeader(header));
      }
      section?.end();
      if (name === 'ss') {
        section = new SsParser({ localPorts: settings.range }, table);
        return;
      }
      const layout = PROC_SECTIONS[name as keyof typeof PROC_SECTIONS];
      if (layout === undefined) throw new DomainError('MALFORMED_SS_LINE', `unexpected section "${name}"`);
      section = new ProcNetParser(
        { family: layout.family, localPorts: settings.range, littleEndian: tools.littleEndian },
        layout.udp ? table.udp : table.tcp,
      );
    };

    // Whole lines only; a line starting with "@@" opens the next section.
    const consume = (bytes: Buffer) => {
      let from = 0;
      while (from < bytes.length) {
        const marker = findMarker(bytes, from);
        const to = marker === -1 ? bytes.length : marker;
        if (to > from) {
          if (section === undefined) header += bytes.toString('latin1', from, to);
          else section.push(bytes.subarray(from, to));
        }
        if (marker === -1) return;
        const lineEnd = bytes.indexOf(10, marker);
        openSection(bytes.toString('latin1', marker + 2, lineEnd));
        from = lineEnd + 1;
      }
    };

    child.stdout.on('data', (chunk: Buffer) => {
      if (settled) return;
      const data = carry ? Buffer.concat([carry, chunk]) : chunk;
      const last = data.lastIndexOf(10);
      if (last === -1) {
        carry = Buffer.from(data);
        return;
      }
      carry = last + 1 < data.length ? Buffer.from(data.subarray(last + 1)) : undefined;
      guard(() => consume(data.subarray(0, last + 1)));
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString('utf8');
    });
    child.on('error', (error) => fail(new CollectError('SS_FAILED', `cannot run ${shown}: ${error.message}`, { cause: error })));
    child.on('close', (code, signal) => {
      if (settled) return;
      if (code !== 0) {
        const detail = stderr.trim().split('\n')[0];
        const why = signal ? `was killed by ${signal}` : `exited with ${code}`;
        const errorCode = /not found/.test(detail ?? '') && mode === 'netlink' ? 'SS_MISSING' : 'SS_FAILED';
        fail(new CollectError(errorCode, `${shown} ${why}${detail ? `: ${detail}` : ''}`));
        return;
      }
      guard(() => {
        if (carry) consume(Buffer.concat([carry, Buffer.from('\n')]));
        if (settings === undefined) throw new DomainError('MALFORMED_SS_LINE', 'the namespace printed no socket table');
        section?.end();
      });
      if (settled || settings === undefined) return;
      settled = true;
      resolve({ settings, table, source: mode });
    });

    function guard(step: () => void): void {
      try {
        step();
      } catch (error) {
        if (error instanceof CollectError) fail(error);
        else fail(new CollectError('MALFORMED_OUTPUT', `${shown}: ${(error as Error).message}`, { cause: error }));
      }
    }
  });
}

/** Index of the next "@@" at the start of a line at or after `from`, or -1. */
function findMarker(bytes: Buffer, from: number): number {
  let at = from;
  for (;;) {
    const found = bytes.indexOf('@@', at, 'latin1');
    if (found === -1) return -1;
    if (found === 0 || bytes[found - 1] === 10) return found;
    at = found + 2;
  }
}

/** `head -v` output: "==> name <==", then the file's one line; a file that could not be read is absent. */
function parseHeader(text: string): KernelSettingTexts {
  const texts = new Map<string, string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const name = /^==> (\S+) <==$/.exec(lines[i] ?? '')?.[1];
    if (name !== undefined) texts.set(name, lines[++i] ?? '');
  }
  const result = {} as KernelSettingTexts;
  for (const name of KERNEL_SETTING_NAMES) result[name] = texts.get(name) ?? null;
  return result;
}
