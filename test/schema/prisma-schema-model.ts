import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'object' | 'enum' | 'unsupported';
  isList: boolean;
  isRequired: boolean;
  type: string;
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  dbName?: string | null;
  fields: { name: string; sortOrder?: 'asc' | 'desc' }[];
}
interface Dmmf {
  datamodel: { models: DmmfModel[]; indexes: DmmfIndex[]; enums: { name: string; dbName?: string | null }[] };
}

/** What schema.prisma says the database must hold, in Postgres terms. */
export interface ExpectedColumn {
  type: string;
  nullable: boolean;
}
export interface ExpectedIndex {
  table: string;
  name: string;
  unique: boolean;
  primary: boolean;
  columns: string[];
}
export interface ExpectedForeignKey {
  table: string;
  name: string;
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
}
export interface ExpectedSchema {
  tables: Map<string, Map<string, ExpectedColumn>>;
  indexes: ExpectedIndex[];
  foreignKeys: ExpectedForeignKey[];
}

// Prisma's default mapping of scalar types to PostgreSQL (format_type spelling).
const SCALAR_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Float: 'double precision',
  Boolean: 'boolean',
  DateTime: 'timestamp(3) without time zone',
  Json: 'jsonb',
  Decimal: 'numeric(65,30)',
  Bytes: 'bytea',
};

function nativeType(name: string, args: string[]): string {
  const arg = args.length ? `(${args.join(',')})` : '';
  switch (name) {
    case 'Uuid':
      return 'uuid';
    case 'Text':
      return 'text';
    case 'Timestamptz':
      return `timestamp${arg || '(6)'} with time zone`;
    case 'Timestamp':
      return `timestamp${arg || '(6)'} without time zone`;
    case 'VarChar':
      return `character varying${arg}`;
    case 'Char':
      return `character${arg}`;
    case 'SmallInt':
      return 'smallint';
    case 'Integer':
      return 'integer';
    case 'BigInt':
      return 'bigint';
    case 'DoublePrecision':
      return 'double precision';
    case 'Real':
      return 'real';
    case 'Inet':
      return 'inet';
    case 'JsonB':
      return 'jsonb';
    case 'Json':
      return 'json';
    case 'Date':
      return 'date';
    default:
      throw new Error(`schema.prisma uses native type @db.${name}, which this test does not map yet`);
  }
}

export function loadPrismaSchemaModel(schemaPath: string): ExpectedSchema {
  const wasm = require('@prisma/prisma-schema-wasm/src/prisma_schema_build.js') as {
    get_dmmf(params: string): string;
  };
  const schema = readFileSync(schemaPath, 'utf8');
  const dmmf = JSON.parse(wasm.get_dmmf(JSON.stringify({ prismaSchema: [[path.basename(schemaPath), schema]] }))) as Dmmf;
  const models = new Map(dmmf.datamodel.models.map((m) => [m.name, m]));
  const tableOf = (m: DmmfModel) => m.dbName ?? m.name;
  const columnOf = (m: DmmfModel, field: string) => {
    const f = m.fields.find((x) => x.name === field);
    if (!f) throw new Error(`${m.name}.${field} not found`);
    return f.dbName ?? f.name;
  };
  const enums = new Map(dmmf.datamodel.enums.map((e) => [e.name, e.dbName ?? e.name]));

  const tables = new Map<string, Map<string, ExpectedColumn>>();
  const foreignKeys: ExpectedForeignKey[] = [];
  for (const m of dmmf.datamodel.models) {
    const columns = new Map<string, ExpectedColumn>();
    for (const f of m.fields) {
      if (f.kind === 'object') {
        if (f.relationFromFields && f.relationFromFields.length > 0) {
          const target = models.get(f.type);
          if (!target) throw new Error(`relation to unknown model ${f.type}`);
          const cols = f.relationFromFields.map((x) => columnOf(m, x));
          foreignKeys.push({
            table: tableOf(m),
            name: `${tableOf(m)}_${cols.join('_')}_fkey`,
            columns: cols,
            referencedTable: tableOf(target),
            referencedColumns: (f.relationToFields ?? []).map((x) => columnOf(target, x)),
          });
        }
        continue;
      }
      let type: string;
      if (f.kind === 'enum') type = enums.get(f.type) ?? f.type;
      else if (f.nativeType) type = nativeType(f.nativeType[0], f.nativeType[1]);
      else {
        const t = SCALAR_TYPES[f.type];
        if (!t) throw new Error(`unmapped Prisma type ${f.type}`);
        type = t;
      }
      if (f.isList) type = `${type}[]`;
      columns.set(f.dbName ?? f.name, { type, nullable: !f.isRequired && !f.isList });
    }
    tables.set(tableOf(m), columns);
  }

  const indexes: ExpectedIndex[] = dmmf.datamodel.indexes.map((ix) => {
    const model = models.get(ix.model);
    if (!model) throw new Error(`index on unknown model ${ix.model}`);
    const table = tableOf(model);
    const cols = ix.fields.map((f) => columnOf(model, f.name) + (f.sortOrder === 'desc' ? ' DESC' : ''));
    const plain = ix.fields.map((f) => columnOf(model, f.name));
    const suffix = ix.type === 'id' ? 'pkey' : ix.type === 'unique' ? 'key' : 'idx';
    const name = ix.dbName ?? (ix.type === 'id' ? `${table}_pkey` : `${table}_${plain.join('_')}_${suffix}`);
    return { table, name, unique: ix.type !== 'normal', primary: ix.type === 'id', columns: cols };
  });
  return { tables, indexes, foreignKeys };
}
