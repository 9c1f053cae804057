import { storageReportSchema, type StorageReport, type HistoryTier } from '@portpressure/protocol';
import { request } from '../api.ts';
import { usePolled } from '../alerts/use-polled.ts';
import { LoadState } from '../ui/load-state.tsx';
import { ColumnHeads } from '../ui/column-heads.tsx';

const TIER_NAMES: Record<HistoryTier, string> = {
  raw: 'Snapshots (raw)',
  minute: 'Minute rollups',
  hour: 'Hour rollups',
};

/** Bytes in binary units, three significant figures. */
function formatBytes(n: number | null): string {
  if (n === null) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toPrecision(3)} ${units[i]}`;
}

const fetchStorage = (signal: AbortSignal): Promise<StorageReport> =>
  request('/api/storage', (b) => storageReportSchema.parse(b), { signal });

/** Disk use per history tier and where it is heading under the current retention. */
export function StoragePage() {
  const { data, error } = usePolled(fetchStorage, ['storage'], 60_000);
  return (
    <section className="card storage-page">
      <h1>Storage</h1>
      <p className="muted">
        Disk used by each history tier (tables, indexes and TOAST of all partitions), and the size it settles at once the current fleet has
        filled each tier's retention. Retention is set with <code>PORTPRESSURE_RETENTION_*</code>.
      </p>
      <LoadState error={error} loaded={data !== null} />
      {!data ? null : (
        <table className="storage-table" data-testid="storage-table">
          <ColumnHeads columns={['Tier', 'Kept', 'Rows', 'Per row', 'On disk', 'Projected']} />
          <tbody>
            {data.tiers.map((t) => (
              <tr key={t.tier} data-testid={`storage-${t.tier}`}>
                <th scope="row">{TIER_NAMES[t.tier]}</th>
                <td>{t.retentionDays} days</td>
                <td>{t.rows.toLocaleString()}</td>
                <td title={t.estimated ? 'too few rows to measure yet: the reference figure of bench:storage' : 'measured'}>
                  {formatBytes(Math.round(t.bytesPerRow))}
                  {t.estimated ? ' (est.)' : ''}
                </td>
                <td>{formatBytes(t.bytes)}</td>
                <td>{formatBytes(t.projectedBytes)}</td>
              </tr>
            ))}
            <tr>
              <th scope="row">Everything else</th>
              <td />
              <td />
              <td />
              <td>{formatBytes(data.otherBytes)}</td>
              <td>{formatBytes(data.otherBytes)}</td>
            </tr>
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Database</th>
              <td colSpan={3} className="muted">
                {data.activeHosts.toLocaleString()} active hosts every {data.intervalSeconds} s
              </td>
              <td data-testid="storage-total">{formatBytes(data.databaseBytes)}</td>
              <td data-testid="storage-projected">{formatBytes(data.projectedBytes)}</td>
            </tr>
          </tfoot>
        </table>
      )}
    </section>
  );
}
