import { useState, type FormEvent } from 'react';

export type RangePreset = '1h' | '24h' | '7d';
export type RangeChoice = { kind: RangePreset } | { kind: 'custom'; from: number; to: number };

export const PRESET_MS: Record<RangePreset, number> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 };
const PRESETS: RangePreset[] = ['1h', '24h', '7d'];
const LABELS: Record<RangePreset, string> = { '1h': '1 h', '24h': '24 h', '7d': '7 d' };

/** Reads ?range=1h|24h|7d or ?range=custom&from=…&to=… (ISO); 1 h by default. */
export function rangeFromSearch(search: URLSearchParams): RangeChoice {
  const range = search.get('range');
  if (range === 'custom') {
    const from = Date.parse(search.get('from') ?? '');
    const to = Date.parse(search.get('to') ?? '');
    if (Number.isFinite(from) && Number.isFinite(to) && from < to) return { kind: 'custom', from, to };
  }
  return range === '24h' || range === '7d' ? { kind: range } : { kind: '1h' };
}

export function rangeToSearch(choice: RangeChoice): string {
  if (choice.kind !== 'custom') return choice.kind === '1h' ? '' : `?range=${choice.kind}`;
  return `?range=custom&from=${new Date(choice.from).toISOString()}&to=${new Date(choice.to).toISOString()}`;
}

/** `<input type="datetime-local">` value for a moment, in the viewer's time zone. */
function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

export function RangePicker({ value, onChange }: { value: RangeChoice; onChange: (c: RangeChoice) => void }) {
  const [editing, setEditing] = useState(value.kind === 'custom');
  const now = Date.now();
  const [from, setFrom] = useState(() => toLocalInput(value.kind === 'custom' ? value.from : now - 6 * 3_600_000));
  const [to, setTo] = useState(() => toLocalInput(value.kind === 'custom' ? value.to : now));
  const [error, setError] = useState<string | null>(null);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    // datetime-local values carry no zone: Date parses them as local time, which is what was typed
    const f = new Date(from).getTime();
    const t = new Date(to).getTime();
    if (!(f < t)) return setError('"From" must be before "to".');
    if (t - f > 31 * 86_400_000) return setError('At most 31 days.');
    setError(null);
    onChange({ kind: 'custom', from: f, to: t });
  };

  return (
    <div className="range-picker">
      <div className="segmented" role="group" aria-label="Time range">
        {PRESETS.map((p) => (
          <button
            key={p}
            type="button"
            aria-pressed={value.kind === p && !editing}
            onClick={() => {
              setEditing(false);
              onChange({ kind: p });
            }}
          >
            {LABELS[p]}
          </button>
        ))}
        <button type="button" aria-pressed={editing} onClick={() => setEditing(true)}>
          Custom
        </button>
      </div>
      {editing && (
        <form className="custom-range" onSubmit={apply}>
          <label>
            From <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} required />
          </label>
          <label>
            to <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} required />
          </label>
          <button type="submit">Show</button>
          {error && (
            <span className="error" role="alert">
              {error}
            </span>
          )}
        </form>
      )}
    </div>
  );
}
