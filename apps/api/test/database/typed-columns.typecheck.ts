// Type-checked by `npm run typecheck` (never run): a query naming a table or column that
// prisma/schema.prisma does not have fails to compile. Each `@ts-expect-error` below must have an
// error to expect, so if the generated types stopped checking names, these lines would fail instead.
import type { Db } from '../../src/database/db.service.ts';

export function misspeltNames(db: Db) {
  return [
    db.selectFrom('hosts').select(['id', 'hostname', 'last_seen_at']),
    // @ts-expect-error: the column is last_seen_at
    db.selectFrom('hosts').select(['id', 'last_seen']),
    // @ts-expect-error: the table is hosts
    db.selectFrom('host').selectAll(),
    // @ts-expect-error: a column in a where clause is checked too
    db.selectFrom('alert_rules').selectAll().where('scope_host', '=', 'x'),
    // @ts-expect-error: the model's field name (camelCase) is not the column's (@map)
    db.updateTable('users').set({ passwordHash: 'x' }),
    // @ts-expect-error: and so are value types: pressure is a number
    db.updateTable('hosts').set({ pressure: 'high' }),
  ];
}

export async function selectedTypes(db: Db) {
  const row = await db.selectFrom('hosts').select(['last_seen_at', 'pressure']).executeTakeFirstOrThrow();
  const seen: Date | null = row.last_seen_at;
  // @ts-expect-error: nullable columns come back nullable
  const pressure: number = row.pressure;
  return [seen, pressure];
}
