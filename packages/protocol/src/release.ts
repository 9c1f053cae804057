/**
 * The version of this Portpressure release. The API and the agent it serves for download carry the
 * same one, so an agent reporting a lower version is out of date and the install command upgrades it.
 */
export const RELEASE_VERSION = '0.1.0';

/** Compares dotted numeric versions (`1.10.0` > `1.9.2`); a suffix after `-` is ignored. Negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) =>
    v
      .split('-')[0]!
      .split('.')
      .map((n) => Number.parseInt(n, 10) || 0);
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
