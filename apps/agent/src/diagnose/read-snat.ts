import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { PortRange, SnatPool } from '@portpressure/protocol';

/** A command that answers in milliseconds; more than this means it hangs. */
const COMMAND_TIMEOUT_MS = 10_000;
/** What the kernel picks translated ports from when a NAT rule gives no range (nf_nat_l4proto_unique_tuple). */
export const NAT_DEFAULT_PORTS = { low: 1024, high: 65535 } as const;

/** The source-NAT rules of a namespace: whether it masquerades and the narrowest port range given. */
export interface NatRules {
  masquerades: boolean;
  portRange: PortRange | null;
}

/** Commands used to read NAT state; tests may substitute paths. */
export interface SnatCommands {
  iptablesSave: string;
  nft: string;
  conntrack: string;
}

export const DEFAULT_SNAT_COMMANDS: SnatCommands = { iptablesSave: 'iptables-save', nft: 'nft', conntrack: 'conntrack' };

/**
 * Finds MASQUERADE and SNAT rules with `iptables-save -t nat` (legacy and nft-backed iptables; the
 * only place an nft-backed `--to-ports` shows) and `nft -j list ruleset` (native nftables
 * `masquerade`/`snat` statements). A tool that is missing or refuses (no permission) counts as "no
 * rules there".
 */
export async function readNatRules(commands: SnatCommands = DEFAULT_SNAT_COMMANDS): Promise<NatRules> {
  const [saved, ruleset] = await Promise.all([run(commands.iptablesSave, ['-t', 'nat']), run(commands.nft, ['-j', 'list', 'ruleset'])]);
  const ranges: (PortRange | null)[] = [];
  if (saved !== null) ranges.push(...natRangesFromIptablesSave(saved));
  if (ruleset !== null) ranges.push(...natRangesFromNftJson(ruleset));
  return { masquerades: ranges.length > 0, portRange: narrowest(ranges) };
}

/** One entry per MASQUERADE/SNAT rule: its port range, or null when it gives none. */
export function natRangesFromIptablesSave(text: string): (PortRange | null)[] {
  const ranges: (PortRange | null)[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('-A ')) continue;
    if (/\s-j MASQUERADE\b/.test(line)) {
      ranges.push(parseRange(/--to-ports (\d+)(?:-(\d+))?/.exec(line)));
    } else if (/\s-j SNAT\b/.test(line)) {
      ranges.push(parseRange(/--to-source \S*?:(\d+)(?:-(\d+))?(?:\s|$)/.exec(line)));
    }
  }
  return ranges;
}

/** One entry per `masquerade` or `snat` statement of `nft -j list ruleset`. */
export function natRangesFromNftJson(text: string): (PortRange | null)[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return [];
  }
  const ranges: (PortRange | null)[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'masquerade' || key === 'snat') {
        const port = typeof value === 'object' && value !== null ? (value as { port?: unknown }).port : undefined;
        ranges.push(nftPort(port));
      } else visit(value);
    }
  };
  visit(document);
  return ranges;
}

function nftPort(port: unknown): PortRange | null {
  if (typeof port === 'number') return { low: port, high: port };
  const range = typeof port === 'object' && port !== null ? (port as { range?: unknown }).range : undefined;
  if (Array.isArray(range) && typeof range[0] === 'number' && typeof range[1] === 'number') return { low: range[0], high: range[1] };
  return null;
}

function parseRange(match: RegExpExecArray | null): PortRange | null {
  if (!match?.[1]) return null;
  const low = Number(match[1]);
  const high = Number(match[2] ?? match[1]);
  return low >= 1 && low <= high && high <= 65535 ? { low, high } : null;
}

/** The smallest range given by any rule: the pool that runs out first. Null when no rule gives one. */
function narrowest(ranges: readonly (PortRange | null)[]): PortRange | null {
  let best: PortRange | null = null;
  for (const r of ranges) if (r && (!best || r.high - r.low < best.high - best.low)) best = r;
  return best;
}

/**
 * Counts translated source ports per (translated address, destination, destination port) from the
 * source-NAT'ed TCP entries of the conntrack table (`conntrack -L -n -p tcp`), streamed line by
 * line (a gateway's table can hold hundreds of thousands). A reply tuple is unique in the table,
 * so each entry of a pool holds a distinct translated port: the entry count is the ports in use.
 */
export async function countSnatPools(capacity: number, commands: SnatCommands = DEFAULT_SNAT_COMMANDS): Promise<SnatPool[] | null> {
  const pools = new Map<string, SnatPool>();
  const ok = await new Promise<boolean>((resolve) => {
    const child = spawn(commands.conntrack, ['-L', '-n', '-p', 'tcp'], {
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: COMMAND_TIMEOUT_MS,
      env: { ...process.env, LC_ALL: 'C' },
    });
    child.on('error', () => resolve(false));
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const entry = parseConntrackLine(line);
      if (!entry) return;
      const key = `${entry.translatedAddress}|${entry.remoteAddress}|${entry.remotePort}`;
      const pool = pools.get(key);
      if (pool) pool.portsInUse = Math.min(65535, pool.portsInUse + 1);
      else pools.set(key, { ...entry, portsInUse: 1, capacity, pressure: 0 });
    });
    child.on('close', (code) => resolve(code === 0));
  });
  if (!ok) return null;
  const list = [...pools.values()];
  for (const pool of list) pool.pressure = Math.min(1, pool.portsInUse / capacity);
  return list.sort((a, b) => b.portsInUse - a.portsInUse || (a.remoteAddress < b.remoteAddress ? -1 : 1));
}

/**
 * One line of `conntrack -L`: the first src/dst/sport/dport are the original direction, the
 * second the reply, whose destination is the translated source.
 */
export function parseConntrackLine(line: string): Pick<SnatPool, 'translatedAddress' | 'remoteAddress' | 'remotePort'> | null {
  const seen: Record<string, string[]> = { src: [], dst: [], sport: [], dport: [] };
  for (const token of line.split(/\s+/)) {
    const eq = token.indexOf('=');
    if (eq <= 0) continue;
    const list = seen[token.slice(0, eq)];
    if (list) list.push(token.slice(eq + 1));
  }
  const remoteAddress = seen.dst?.[0];
  const remotePort = Number(seen.dport?.[0]);
  const translatedAddress = seen.dst?.[1];
  if (!remoteAddress || !translatedAddress || !Number.isInteger(remotePort) || remotePort < 1 || remotePort > 65535) return null;
  return { translatedAddress, remoteAddress, remotePort };
}

function run(command: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { timeout: COMMAND_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C' } },
      (error, stdout) => resolve(error ? null : stdout),
    );
  });
}
