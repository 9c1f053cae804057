// Numbers and times as notifications write them; a leaf module, so rule kinds can word their
// summaries without importing the notification model.

/** 0.9234 → "92.3%"; whole numbers lose the decimal ("100%"). */
export function formatPercent(value: number): string {
  const tenths = Math.round(value * 1000) / 10;
  return `${Number.isInteger(tenths) ? tenths.toFixed(0) : tenths.toFixed(1)}%`;
}

/** Seconds → "2d 3h", "1h 5m", "4m 10s", "12s": two units are enough to act on. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const units: Array<[string, number]> = [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  let rest = s;
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || parts.length > 0) parts.push(`${n}${name}`);
    if (parts.length === 2) break;
  }
  const [first, second] = parts;
  if (first === undefined) return '0s';
  // "1h 0m" reads worse than "1h".
  return second === undefined || second.startsWith('0') ? first : `${first} ${second}`;
}

/** When a forecast runs out, relative to `now`: "in 25m (at …)", or "now" once it is past. */
export function forecastPhrase(exhaustsAt: string, now: Date): string {
  const seconds = (Date.parse(exhaustsAt) - now.getTime()) / 1000;
  if (!Number.isFinite(seconds)) return `at ${exhaustsAt}`;
  if (seconds <= 0) return `now (forecast for ${exhaustsAt})`;
  return `in ${formatDuration(seconds)} (at ${exhaustsAt})`;
}

/** A conntrack table's figures: "950 of 1,000 entries (95%), insert failed +3, drop +0, early drop +0". */
export function conntrackText(c: {
  count: number;
  max: number;
  insertFailed: number | null;
  drop: number | null;
  earlyDrop: number | null;
}): string {
  const count = (n: number): string => n.toLocaleString('en-US');
  const fill = c.max > 0 ? ` (${formatPercent(c.count / c.max)})` : '';
  const failures: Array<[string, number | null]> = [
    ['insert failed', c.insertFailed],
    ['drop', c.drop],
    ['early drop', c.earlyDrop],
  ];
  const grown = failures.filter(([, d]) => d !== null).map(([name, d]) => `${name} +${count(d ?? 0)}`);
  return [`${count(c.count)} of ${count(c.max)} entries${fill}`, ...grown].join(', ');
}
