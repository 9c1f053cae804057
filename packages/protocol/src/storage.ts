import * as z from 'zod';
import { historyTierSchema } from './history.ts';

/** One history tier's disk use now and under its retention. */
export const storageTierSchema = z.object({
  tier: historyTierSchema,
  /** The tables of the tier (each with all its partitions). */
  tables: z.array(z.string()),
  /** Tables, indexes and TOAST of every partition (pg_total_relation_size), bytes. */
  bytes: z.number().int().min(0),
  /** Rows stored (snapshots for raw, host-minutes and host-hours for the rollups); estimated on large tables. */
  rows: z.number().int().min(0),
  /** Bytes per row used for the projection: measured (bytes / rows), or the reference figure of bench:storage while the tier is too small to measure. */
  bytesPerRow: z.number(),
  /** Whether bytesPerRow is the reference figure rather than measured here. */
  estimated: z.boolean(),
  retentionDays: z.number().int().min(1),
  /** Size once the current fleet has filled the whole retention at the current interval. */
  projectedBytes: z.number(),
});
export type StorageTier = z.infer<typeof storageTierSchema>;

/** `GET /api/storage`: where the database's disk goes and where it is heading. */
export const storageReportSchema = z.object({
  /** pg_database_size of the whole database. */
  databaseBytes: z.number().int().min(0),
  tiers: z.array(storageTierSchema),
  /** Everything else: hosts, alerts, delivery log, sessions, catalogs. */
  otherBytes: z.number().int().min(0),
  /** Hosts in the fleet ranking (not archived), which the projection counts. */
  activeHosts: z.number().int().min(0),
  intervalSeconds: z.number().int().min(1),
  /** The tiers' projected sizes plus what is not history. */
  projectedBytes: z.number(),
});
export type StorageReport = z.infer<typeof storageReportSchema>;
