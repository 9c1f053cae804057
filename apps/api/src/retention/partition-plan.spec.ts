import { describe, expect, it } from 'vitest';
import { parsePartition, partitionAt, planPartitions, type PartitionedTable } from './partition-plan.ts';

const snapshots: PartitionedTable = { table: 'snapshots', column: 'taken_at', unit: 'day', retentionDays: 3 };
const hours: PartitionedTable = { table: 'host_hours', column: 'hour', unit: 'month', retentionDays: 400 };

describe('partition plan', () => {
  it('names day and month partitions by their UTC start and reads the names back', () => {
    const day = partitionAt(snapshots, new Date('2026-12-31T23:59:59.999Z'));
    expect(day).toEqual({ name: 'snapshots_p20261231', from: new Date('2026-12-31T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z') });
    expect(parsePartition(snapshots, day.name)).toEqual(day);
    const month = partitionAt(hours, new Date('2026-12-04T10:00:00Z'));
    expect(month).toEqual({ name: 'host_hours_p202612', from: new Date('2026-12-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z') });
    expect(parsePartition(hours, month.name)).toEqual(month);
    expect(parsePartition(snapshots, 'snapshots_default')).toBeNull();
    expect(parsePartition(snapshots, 'snapshots_p202612')).toBeNull();
  });

  it('creates the missing partitions ahead and drops only those wholly past retention', () => {
    const now = new Date('2026-12-10T12:00:00Z');
    const existing = ['snapshots_default', 'snapshots_p20261206', 'snapshots_p20261207', 'snapshots_p20261208', 'snapshots_p20261210'];
    const plan = planPartitions(snapshots, existing, now);
    expect(plan.create.map((p) => p.name)).toEqual(['snapshots_p20261211', 'snapshots_p20261212']);
    // cutoff 2026-12-07T12:00: the 6th ended before it; the 7th still holds rows within retention
    expect(plan.drop).toEqual(['snapshots_p20261206']);
    expect(planPartitions(snapshots, [...existing, 'snapshots_p20261211', 'snapshots_p20261212'], now).create).toEqual([]);
  });
});
