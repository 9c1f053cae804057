import { Inject, Injectable } from '@nestjs/common';
import type { HistoryTier, StorageReport, StorageTier } from '@portpressure/protocol';
import { API_CONFIG, type ApiConfig } from '../config/config.ts';
import { StorageRepository } from './storage.repository.ts';

/** Each tier's tables; the first one's rows are what the tier counts (snapshots, host-minutes, host-hours). */
const TIERS: { tier: HistoryTier; tables: string[] }[] = [
  { tier: 'raw', tables: ['snapshots', 'host_tuples'] },
  { tier: 'minute', tables: ['host_minutes', 'tuple_minutes'] },
  { tier: 'hour', tables: ['host_hours', 'tuple_hours'] },
];

/**
 * Bytes per row measured by bench:storage (50-tuple snapshots at 10 s, tables with their indexes):
 * used until a tier holds MEASURE_FROM_ROWS rows, below which empty partitions' pages dominate.
 */
const REFERENCE_BYTES_PER_ROW: Record<HistoryTier, number> = { raw: 700, minute: 2240, hour: 3850 };
const MEASURE_FROM_ROWS = 10_000;

@Injectable()
export class StorageService {
  constructor(
    private readonly repository: StorageRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /**
   * Disk use per tier, measured, and projected for the current fleet: bytes per row as measured
   * now × the rows a host writes per day in that tier × active hosts × the tier's retention.
   */
  async report(): Promise<StorageReport> {
    const [databaseBytes, uses, activeHosts] = await Promise.all([
      this.repository.databaseBytes(),
      this.repository.tables(TIERS.flatMap((t) => t.tables)),
      this.repository.activeHosts(),
    ]);
    const r = this.config.retention;
    const perDay: Record<HistoryTier, number> = { raw: 86_400 / this.config.intervalSeconds, minute: 1440, hour: 24 };
    const days: Record<HistoryTier, number> = { raw: r.rawDays, minute: r.minuteDays, hour: r.hourDays };
    const tiers: StorageTier[] = TIERS.map(({ tier, tables }) => {
      const mine = uses.filter((u) => tables.includes(u.table));
      const bytes = mine.reduce((n, u) => n + u.bytes, 0);
      const rows = mine.find((u) => u.table === tables[0])?.rows ?? 0;
      const estimated = rows < MEASURE_FROM_ROWS;
      const bytesPerRow = estimated ? REFERENCE_BYTES_PER_ROW[tier] : bytes / rows;
      const projectedBytes = bytesPerRow * perDay[tier] * days[tier] * activeHosts;
      return { tier, tables, bytes, rows, bytesPerRow, estimated, retentionDays: days[tier], projectedBytes };
    });
    const historyBytes = tiers.reduce((n, t) => n + t.bytes, 0);
    const otherBytes = Math.max(0, databaseBytes - historyBytes);
    const projectedBytes = tiers.reduce((n, t) => n + t.projectedBytes, 0) + otherBytes;
    return { databaseBytes, tiers, otherBytes, activeHosts, intervalSeconds: this.config.intervalSeconds, projectedBytes };
  }
}
