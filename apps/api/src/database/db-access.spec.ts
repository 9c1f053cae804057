import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// One database client: only repositories (and this folder) reach PostgreSQL, through DbService;
// no second client or pool comes back by the side door.
const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Files outside repositories allowed to import the client: the pool's connection counts are a metric. */
const ALSO_ALLOWED = ['metrics/fleet-metrics.ts'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' ? [] : sources(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [path.relative(SRC, full)] : [];
  });
}

const importsOf = (file: string) => [...readFileSync(path.join(SRC, file), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1] ?? '');

describe('database access', () => {
  const files = sources(SRC);

  it('finds the sources (the scan itself works)', () => {
    expect(files).toContain('database/db.service.ts');
    expect(files.filter((f) => f.endsWith('.repository.ts')).length).toBeGreaterThan(10);
  });

  it('goes through DbService in repositories only', () => {
    const outside = files.filter(
      (f) =>
        !f.startsWith('database/') &&
        !f.endsWith('.repository.ts') &&
        !ALSO_ALLOWED.includes(f) &&
        importsOf(f).some((m) => m === 'kysely' || m === 'pg' || m.endsWith('/database/db.service.ts')),
    );
    expect(outside).toEqual([]);
  });

  it('has no second client: no Prisma client, no pool of its own', () => {
    const offenders = files.filter((f) => {
      const text = readFileSync(path.join(SRC, f), 'utf8');
      return (
        importsOf(f).some((m) => m.startsWith('@prisma/') || m.includes('generated/prisma')) ||
        (f !== 'database/db.service.ts' && /new pg\.Pool\(/.test(text))
      );
    });
    expect(offenders).toEqual([]);
  });
});
