/** A time-partitioned table and how long its rows are kept. */
export interface PartitionedTable {
  table: string;
  /** The partition key (a timestamptz column). */
  column: string;
  unit: 'day' | 'month';
  retentionDays: number;
}

export interface PartitionRange {
  name: string;
  from: Date;
  to: Date;
}

const DAY = 86_400_000;
/** Day partitions made ahead of today (today included): a day of API downtime never leaves writes without one. */
const DAYS_AHEAD = 3;
/** Month partitions made ahead (this month included). */
const MONTHS_AHEAD = 2;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The partition of `table` holding `at` (UTC days or months), named `<table>_pYYYYMMDD` or `<table>_pYYYYMM`. */
export function partitionAt(t: PartitionedTable, at: Date): PartitionRange {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth();
  if (t.unit === 'day') {
    const from = new Date(Date.UTC(y, m, at.getUTCDate()));
    return { name: `${t.table}_p${y}${pad(m + 1)}${pad(at.getUTCDate())}`, from, to: new Date(from.getTime() + DAY) };
  }
  return { name: `${t.table}_p${y}${pad(m + 1)}`, from: new Date(Date.UTC(y, m, 1)), to: new Date(Date.UTC(y, m + 1, 1)) };
}

/** The range a partition name of ours stands for, or null for any other partition (the DEFAULT one). */
export function parsePartition(t: PartitionedTable, name: string): PartitionRange | null {
  const match = new RegExp(`^${t.table}_p(\\d{4})(\\d{2})(\\d{2})?$`).exec(name);
  if (!match) return null;
  const [, y, m, d] = match;
  if ((t.unit === 'day') !== (d !== undefined)) return null;
  return partitionAt(t, new Date(Date.UTC(Number(y), Number(m) - 1, d === undefined ? 1 : Number(d))));
}

/** Oldest time still within retention: rows before it may go. */
export const retentionCutoff = (t: PartitionedTable, now: Date): Date => new Date(now.getTime() - t.retentionDays * DAY);

/**
 * What the job does to one table: partitions to create (now and ahead, those missing) and to drop
 * (every row of them past retention: a partition goes only once its whole range has expired).
 */
export function planPartitions(t: PartitionedTable, existing: string[], now: Date): { create: PartitionRange[]; drop: string[] } {
  const have = new Set(existing);
  const create: PartitionRange[] = [];
  let at = now;
  for (let i = 0; i < (t.unit === 'day' ? DAYS_AHEAD : MONTHS_AHEAD); i++) {
    const p = partitionAt(t, at);
    if (!have.has(p.name)) create.push(p);
    at = p.to;
  }
  const cutoff = retentionCutoff(t, now).getTime();
  const drop = existing.filter((name) => {
    const p = parsePartition(t, name);
    return p !== null && p.to.getTime() <= cutoff;
  });
  return { create, drop: drop.sort() };
}
