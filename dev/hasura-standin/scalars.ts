import type { Pool } from 'pg';
import { graphqlError, type GraphqlError } from './permissions';

/*
 * Hasura's scalars for Postgres columns, as strict as Hasura's parsers (graphql-engine
 * server/src-lib/Hasura/GraphQL/Parser/Internal/Scalars.hs): `Int` and `Float` take only a JSON number,
 * `Boolean` only a boolean, `String` only a string; the other Postgres scalars (`bigint`, `numeric`, `uuid`,
 * ...) take a string, and numbers too.
 */
const BUILTIN: Record<string, string> = {
  int4: 'Int',
  float8: 'Float',
  bool: 'Boolean',
  text: 'String',
  varchar: 'String',
  bpchar: 'String',
  int8: 'bigint',
  int2: 'smallint',
};

/** Column → its GraphQL scalar name, for one `schema.name` table. */
export async function columnScalars(pool: Pool, table: string): Promise<Record<string, string>> {
  const [schema, name] = table.split('.');
  const sql =
    'SELECT a.attname, t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid ' +
    'WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped';
  const quoted = `"${schema.replaceAll('"', '""')}"."${name.replaceAll('"', '""')}"`;
  const { rows } = await pool.query<{ attname: string; typname: string }>(sql, [quoted]);
  return Object.fromEntries(rows.map((row) => [row.attname, BUILTIN[row.typname] ?? row.typname]));
}

function accepts(scalar: string, value: unknown): boolean {
  if (value === null) return true;
  if (scalar === 'Int') return typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < 2 ** 31;
  if (scalar === 'Float') return typeof value === 'number';
  if (scalar === 'Boolean') return typeof value === 'boolean';
  if (scalar === 'String') return typeof value === 'string';
  if (scalar === 'bigint') return typeof value === 'number' || (typeof value === 'string' && /^-?\d+$/.test(value));
  return typeof value === 'string' || typeof value === 'number';
}

/** Hasura's answer for a variable value its column's scalar does not take; undefined when all are taken. */
export function scalarProblem(
  scalars: Record<string, string>,
  values: Record<string, unknown>,
  path: string,
): GraphqlError | undefined {
  for (const [column, value] of Object.entries(values)) {
    const scalar = scalars[column];
    if (!scalar || accepts(scalar, value)) continue;
    const found = typeof value === 'string' ? 'a string' : typeof value === 'number' ? 'a number' : typeof value;
    return graphqlError(
      'validation-failed',
      `${path}.${column}`,
      `expected a ${scalar} for type '${scalar}', but found ${found}`,
    );
  }
  return undefined;
}

/** The introspection the bridge's writer asks: `__type(name: "<root>_pk_columns_input")` with the key's scalars. */
export function pkColumnsInputType(primaryKey: string[], scalars: Record<string, string>) {
  const inputFields = primaryKey.map((name) => ({
    name,
    type: { name: null, ofType: { name: scalars[name] } },
  }));
  return { __type: { inputFields } };
}
