import { TCP_STATE_INDEX, effectivePortMask, parsePortList, type SocketColumns } from '@portpressure/domain';
import { isoTime } from '@portpressure/logging/iso-time';
import type { PortReport } from '@portpressure/protocol';
import { DIAGNOSIS_LIMITS } from '@portpressure/protocol/agent-constants';
import type {
  Conntrack,
  Diagnostics,
  KernelCounterDelta,
  KernelCounterName,
  Snat,
  TupleDiagnosis,
} from '@portpressure/protocol/diagnostics';
import { type AttributionCost, type AttributionEnvironment, type TupleAttribution, attributeProcesses } from './attribute-processes.ts';
import { type ConntrackReading, readConntrack } from './read-conntrack.ts';
import { readKernelCounters } from './read-kernel-counters.ts';
import { DEFAULT_SNAT_COMMANDS, NAT_DEFAULT_PORTS, type NatRules, type SnatCommands, countSnatPools, readNatRules } from './read-snat.ts';
import { ChurnTracker, nameOf } from './tuple-churn.ts';
import { namespaceVerdicts, tupleVerdicts } from './verdicts.ts';

const LISTEN_INDEX = TCP_STATE_INDEX.get('LISTEN') ?? -1;

export interface DiagnoserOptions {
  /**
   * How often processes are attributed and the NAT rules re-read, in milliseconds; 0 for every
   * snapshot. Between attributions each tuple keeps the processes found last (`attributedAt`).
   */
  attributeEveryMs: number;
  attribution?: Partial<AttributionEnvironment>;
  /** /proc/sys/net/netfilter of the measured namespace. */
  netfilterSysctlDir?: string;
  snatCommands?: SnatCommands;
}

/** Milliseconds spent on each part of the last diagnosis (for bench:agent). */
export interface DiagnosisCost {
  churnMs: number;
  /** null when attribution did not run for this snapshot. */
  attributionMs: number | null;
  attribution: AttributionCost;
  conntrackMs: number;
  snatMs: number;
}

const DEFAULT_ATTRIBUTION: AttributionEnvironment = { procNetDir: '/proc/net', procDir: '/proc', passwdFile: '/etc/passwd' };

/**
 * Diagnoses one network namespace snapshot after snapshot: keeps what the rates and deltas need
 * from the previous snapshot (the churn tracker's port codes, the last conntrack and kernel
 * counters, the last attribution). One per namespace and process lifetime.
 */
export class Diagnoser {
  private readonly churn = new ChurnTracker();
  private readonly attribution: AttributionEnvironment;
  private readonly netfilterSysctlDir: string;
  private readonly snatCommands: SnatCommands;
  private lastAttributedAt: number | null = null;
  private attributed = new Map<string, TupleAttribution>();
  private natRules: NatRules = { masquerades: false, portRange: null };
  private previousConntrack: ConntrackReading | null = null;
  private previousCounters: Map<KernelCounterName, number> | null = null;
  private previousAt: number | null = null;
  readonly lastCost: DiagnosisCost = {
    churnMs: 0,
    attributionMs: null,
    attribution: { sockets: 0, processes: 0, descriptors: 0 },
    conntrackMs: 0,
    snatMs: 0,
  };

  constructor(private readonly options: DiagnoserOptions) {
    this.attribution = { ...DEFAULT_ATTRIBUTION, ...options.attribution };
    this.netfilterSysctlDir = options.netfilterSysctlDir ?? '/proc/sys/net/netfilter';
    this.snatCommands = options.snatCommands ?? DEFAULT_SNAT_COMMANDS;
  }

  /** The diagnostics of `report`, measured from `table` (the socket table the report was built from). */
  async diagnose(table: SocketColumns, report: PortReport, nowMs = Date.now()): Promise<Diagnostics> {
    const tuples = report.tuples.slice(0, DIAGNOSIS_LIMITS.tuples);
    let started = performance.now();
    const observations = this.churn.observe(table, report, tuples, nowMs);
    this.lastCost.churnMs = performance.now() - started;

    const due = this.lastAttributedAt === null || nowMs - this.lastAttributedAt >= this.options.attributeEveryMs;
    this.lastCost.attributionMs = null;
    if (due) {
      started = performance.now();
      const found = attributeProcesses(tuples, this.attribution, this.lastCost.attribution);
      this.attributed = new Map(tuples.map((t, i) => [nameOf(t), found[i] ?? { processes: [], unattributedSockets: 0 }]));
      this.natRules = await readNatRules(this.snatCommands);
      this.lastAttributedAt = nowMs;
      this.lastCost.attributionMs = performance.now() - started;
    }

    started = performance.now();
    const conntrack = await this.readConntrackDeltas();
    this.lastCost.conntrackMs = performance.now() - started;
    started = performance.now();
    const snat = await this.readSnat();
    this.lastCost.snatMs = performance.now() - started;
    const kernel = this.readKernelDeltas();
    const intervalSeconds = this.previousAt === null ? null : Math.min(86_400, Math.max(0, (nowMs - this.previousAt) / 1000));
    this.previousAt = nowMs;

    const diagnosed: TupleDiagnosis[] = tuples.map((tuple, i) => {
      const seen = observations[i] ?? {
        churn: { newPerSecond: null, timeWaitInflowPerSecond: null, timeWaitShare: 0 },
        openHistory: [],
        closeWait: 0,
      };
      const held = this.attributed.get(nameOf(tuple));
      return {
        localAddress: tuple.localAddress,
        remoteAddress: tuple.remoteAddress,
        remotePort: tuple.remotePort,
        processes: held ? held.processes : null,
        unattributedSockets: held ? held.unattributedSockets : 0,
        churn: seen.churn,
        verdicts: tupleVerdicts(tuple, seen, report),
      };
    });
    return {
      intervalSeconds,
      attributedAt: this.lastAttributedAt === null ? null : isoTime(this.lastAttributedAt),
      tuples: diagnosed,
      verdicts: namespaceVerdicts(report, { listeningInRange: listeningInRange(table, report), conntrack, snat, kernel }),
      conntrack,
      snat,
      kernel,
    };
  }

  private async readConntrackDeltas(): Promise<Conntrack | null> {
    const now = await readConntrack(this.netfilterSysctlDir, this.attribution.procNetDir, this.snatCommands.conntrack);
    const before = this.previousConntrack;
    this.previousConntrack = now;
    if (!now) return null;
    const delta = (a: number | null, b: number | null | undefined): number | null =>
      before === null || a === null || b === null || b === undefined ? null : Math.max(0, a - b);
    return {
      count: now.count,
      max: now.max,
      insertFailed: delta(now.insertFailed, before?.insertFailed),
      drop: delta(now.drop, before?.drop),
      earlyDrop: delta(now.earlyDrop, before?.earlyDrop),
    };
  }

  private async readSnat(): Promise<Snat | null> {
    if (!this.natRules.masquerades) return null;
    const range = this.natRules.portRange ?? NAT_DEFAULT_PORTS;
    const capacity = range.high - range.low + 1;
    const pools = await countSnatPools(capacity, this.snatCommands);
    if (pools === null) return null;
    return { portRange: this.natRules.portRange, pools: pools.slice(0, DIAGNOSIS_LIMITS.snatPools), poolCount: pools.length };
  }

  private readKernelDeltas(): KernelCounterDelta[] {
    const now = readKernelCounters(this.attribution.procNetDir);
    const before = this.previousCounters;
    this.previousCounters = now;
    if (before === null) return [];
    const deltas: KernelCounterDelta[] = [];
    for (const [name, value] of now) {
      const old = before.get(name);
      // A counter that went down was reset (the namespace is new): no delta rather than a wrong one.
      if (old !== undefined && value >= old) deltas.push({ name, delta: value - old });
    }
    return deltas;
  }
}

/** LISTEN ports inside the effective range, ascending. */
function listeningInRange(table: SocketColumns, report: PortReport): number[] {
  const effective = effectivePortMask(report.range, parsePortList(report.reservedPorts));
  const ports = new Set<number>();
  for (let i = 0; i < table.size; i++) {
    const port = table.localPort[i] ?? 0;
    if (table.state[i] === LISTEN_INDEX && effective[port] === 1) ports.add(port);
  }
  return [...ports].sort((a, b) => a - b);
}
