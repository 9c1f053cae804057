// Durations and ratios in the words the UI and the API's rule descriptions share, so a rule's
// condition reads the same in the rules table as the figures around it.

/** "45 s", "12 min", "3 h 10 min", "4 d 2 h". */
export function durationText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** A ratio as a percentage with at most one decimal: 2/3 → "66.7 %", 0.9 → "90 %". */
export function ratioText(ratio: number): string {
  return `${Math.round(ratio * 1000) / 10} %`;
}
