// Writes apps/api/src/generated/database.ts: the Kysely `Database` type of every table in
// prisma/schema.prisma, in the database's own (snake_case, @map/@@map) names, so a query that names
// a column or table the schema does not have fails to compile. Run by `npm install` (postinstall)
// and `npm run typecheck`, and by hand after editing schema.prisma. Offline: the schema is read by
// Prisma's own parser compiled to WebAssembly (@prisma/prisma-schema-wasm), no engine, no network.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const schemaPath = path.join(root, 'prisma/schema.prisma');
const outPath = path.join(root, 'apps/api/src/generated/database.ts');

/** What a value of each Prisma scalar type is in JavaScript through `pg`: [select, insert/update]. */
const SCALARS = {
  String: ['string', 'string'],
  Int: ['number', 'number'],
  Float: ['number', 'number'],
  // pg returns int8 and numeric as text (exact); read them with Number() or cast in SQL (::float8)
  BigInt: ['string', 'string | number | bigint'],
  Decimal: ['string', 'string | number'],
  Boolean: ['boolean', 'boolean'],
  DateTime: ['Date', 'Date | string'],
  // pg parses json and jsonb; written as JSON text (JSON.stringify), which PostgreSQL casts
  Json: ['unknown', 'string'],
  Bytes: ['Buffer', 'Buffer'],
};

function loadParser() {
  try {
    return require('@prisma/prisma-schema-wasm/src/prisma_schema_build.js');
  } catch {
    console.error('prisma-generate: @prisma/prisma-schema-wasm is not installed; run npm install (with dev dependencies) first.');
    process.exit(1);
  }
}

function generate(schemaText) {
  const wasm = loadParser();
  const dmmf = JSON.parse(wasm.get_dmmf(JSON.stringify({ prismaSchema: [['schema.prisma', schemaText]] })));
  const enums = new Map(dmmf.datamodel.enums.map((e) => [e.name, e.values.map((v) => JSON.stringify(v.dbName ?? v.name)).join(' | ')]));
  const out = [
    '// Generated from prisma/schema.prisma by scripts/prisma-generate.mjs: do not edit.',
    "import type { ColumnType } from 'kysely';",
    '',
  ];
  const tables = [];
  for (const model of dmmf.datamodel.models) {
    const table = model.dbName ?? model.name;
    const typeName = `${model.name}Table`;
    tables.push([table, typeName, model.documentation]);
    out.push(...doc(model.documentation, ''), `export interface ${typeName} {`);
    for (const f of model.fields) {
      if (f.kind === 'object') continue;
      if (f.isList) throw new Error(`${model.name}.${f.name}: list columns are not mapped yet`);
      const [select, write] = f.kind === 'enum' ? [enums.get(f.type), enums.get(f.type)] : (SCALARS[f.type] ?? []);
      if (select === undefined) throw new Error(`${model.name}.${f.name}: type ${f.type} is not mapped yet`);
      const nullable = f.isRequired ? '' : ' | null';
      const optional = f.hasDefaultValue || f.isUpdatedAt || !f.isRequired ? ' | undefined' : '';
      const type =
        select === write && !optional
          ? `${select}${nullable}`
          : `ColumnType<${select}${nullable}, ${write}${nullable}${optional}, ${write}${nullable}>`;
      out.push(...doc(f.documentation, '  '), `  ${f.dbName ?? f.name}: ${type};`);
    }
    out.push('}', '');
  }
  out.push('/** Every table of schema.prisma, by its name in the database. */', 'export interface Database {');
  for (const [table, typeName] of tables) out.push(`  ${table}: ${typeName};`);
  out.push('}', '');
  return out.join('\n');
}

function doc(text, indent) {
  if (!text) return [];
  return [`${indent}/**`, ...text.split('\n').map((l) => `${indent} * ${l}`.trimEnd()), `${indent} */`];
}

const text = generate(readFileSync(schemaPath, 'utf8'));
mkdirSync(path.dirname(outPath), { recursive: true });
// The Prisma client this script generated before the service moved to Kysely: stale, and it would
// no longer type-check without @prisma/client.
rmSync(path.join(path.dirname(outPath), 'prisma'), { recursive: true, force: true });
let previous = null;
try {
  previous = readFileSync(outPath, 'utf8');
} catch {}
if (previous !== text) writeFileSync(outPath, text);
