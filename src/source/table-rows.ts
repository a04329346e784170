import { escapeIdentifier, type Pool, type PoolClient, type QueryConfig } from 'pg';
import { sourceFailure } from './postgres';

export interface TableName {
  schema: string;
  name: string;
}

export interface RowPage {
  /** Each row as PostgreSQL's row_to_json text (bigint stays a JSON number, digits intact). */
  rows: { json: string; key: string[] }[];
}

export interface TableScan {
  table: TableName;
  /** Operator-supplied SQL condition (`--where`): the CLI operator's own input, run only read-only. */
  where?: string;
}

/*
 * Every read runs in a READ ONLY transaction: `--where` is SQL the operator typed, and whatever it
 * says, it cannot change a row. Identifiers are quoted; values travel as parameters. Reads that hold
 * `--where` go over the extended protocol (one statement only): over the simple one, used when there is
 * no parameter, `x; COMMIT; <write>` would end the read-only transaction and write.
 */
async function readOnly<T>(pool: Pool, read: (client: PoolClient) => Promise<T>): Promise<T> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw sourceFailure(error);
  }
  try {
    await client.query('BEGIN READ ONLY');
    const result = await read(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw sourceFailure(error);
  } finally {
    client.release();
  }
}

/** `queryMode` is pg's (since 8.9) but not yet in @types/pg: it forces the extended protocol. */
const oneStatement = (text: string, values: string[]) => ({ text, values, queryMode: 'extended' }) as QueryConfig;

const qualified = (table: TableName) => `${escapeIdentifier(table.schema)}.${escapeIdentifier(table.name)}`;

/** The table's primary-key columns in key order: the backfill's stable, resumable order. */
export async function primaryKeyOf(pool: Pool, table: TableName): Promise<string[]> {
  const sql = `SELECT a.attname AS name FROM pg_index i
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
    WHERE i.indisprimary AND i.indrelid = (quote_ident($1) || '.' || quote_ident($2))::regclass
    ORDER BY array_position(i.indkey, a.attnum)`;
  const { rows } = await readOnly(pool, (client) => client.query<{ name: string }>(sql, [table.schema, table.name]));
  if (rows.length === 0) throw new Error(`table ${table.schema}.${table.name} has no primary key to order rows by`);
  return rows.map((row) => row.name);
}

/** `(k1, k2) > ($1, $2)`: keyset pagination, so a resumed or concurrent run neither skips nor repeats. */
function keysetSql(scan: TableScan, key: string[], after: string[] | undefined) {
  const columns = key.map((column) => `t.${escapeIdentifier(column)}`);
  const conditions = [scan.where ? `(${scan.where})` : 'true'];
  if (after) conditions.push(`(${columns.join(', ')}) > (${after.map((_, i) => `$${i + 1}`).join(', ')})`);
  return { columns, where: conditions.join(' AND ') };
}

/** Rows still to do (for the ETA). */
export async function countRows(pool: Pool, scan: TableScan, key: string[], after?: string[]): Promise<number> {
  const { where } = keysetSql(scan, key, after);
  const sql = `SELECT count(*)::text AS n FROM ${qualified(scan.table)} t WHERE ${where}`;
  const { rows } = await readOnly(pool, (client) => client.query<{ n: string }>(oneStatement(sql, after ?? [])));
  return Number(rows[0].n);
}

/** The next `limit` rows after `after`, in key order. */
export async function readRows(
  pool: Pool,
  scan: TableScan,
  page: { key: string[]; after?: string[]; limit: number },
): Promise<RowPage> {
  const { columns, where } = keysetSql(scan, page.key, page.after);
  const keyText = columns.map((column) => `${column}::text`).join(', ');
  const sql = `SELECT row_to_json(t)::text AS json, ARRAY[${keyText}] AS key FROM ${qualified(scan.table)} t
    WHERE ${where} ORDER BY ${columns.join(', ')} LIMIT ${Math.floor(page.limit)}`;
  const { rows } = await readOnly(pool, (client) =>
    client.query<RowPage['rows'][number]>(oneStatement(sql, page.after ?? [])),
  );
  return { rows };
}
