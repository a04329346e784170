import { Pool, type QueryConfig } from 'pg';
import type { Secret } from '../common/secret';
import { postgresWriteBackError } from './errors';
import { textComparedColumns, type ColumnTypes, type TextCompared } from './postgres-columns';
import type { RowRead, RowWrite, RowWriter, RowWriteResult } from './row-writer';

/** `"name"` with every `"` doubled: any identifier PostgreSQL accepts, quoted, never interpolated raw. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A row value as a text parameter: bigints keep their digits, objects (json columns) their JSON text. */
function asParameter(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * `UPDATE "schema"."table" SET "c1" = $1, ... WHERE "k1" = $n AND ...`: values and keys are untyped
 * text parameters, so PostgreSQL casts each to its column's type (a bigint key past 2^53 stays exact).
 */
export function updateStatement(
  request: RowWrite,
  textCompared: TextCompared = {},
): { text: string; values: (string | null)[] } {
  const columns = Object.keys(request.values);
  const set = columns.map((column, index) => `${quoteIdentifier(column)} = $${index + 1}`);
  const where = whereClause({ ...request.key, ...request.onlyIf }, columns.length);
  const table = tableName(request.table);
  const values = [...columns.map((column) => request.values[column]), ...where.values];
  if (!request.onlyChanged) return { text: `UPDATE ${table} SET ${set.join(', ')} WHERE ${where.text}`, values };
  // One statement: the UPDATE skips a row already holding the values (IS DISTINCT FROM: NULL equals NULL),
  // and the count of rows with the key tells a row gone (0) from one left as it was (rows 1, changed 0).
  const differs = columns.map((column, index) => {
    const type = textCompared[column];
    const name = quoteIdentifier(column);
    if (type === undefined) return `${name} IS DISTINCT FROM $${index + 1}`;
    return `${name}::text IS DISTINCT FROM ($${index + 1}::${type})::text`;
  });
  const update = `UPDATE ${table} SET ${set.join(', ')} WHERE ${where.text} AND (${differs.join(' OR ')}) RETURNING 1`;
  const rows = `(SELECT count(*) FROM ${table} WHERE ${where.text})::int AS rows`;
  return { text: `WITH changed AS (${update}) SELECT ${rows}, (SELECT count(*) FROM changed)::int AS changed`, values };
}

const tableName = (table: RowWrite['table']) => `${quoteIdentifier(table.schema)}.${quoteIdentifier(table.name)}`;

/** `"k1" = $n AND ...` from parameter `after + 1` on: the row's key and any column that must hold a value. */
function whereClause(equal: Record<string, unknown>, after: number) {
  const columns = Object.keys(equal);
  return {
    text: columns.map((column, index) => `${quoteIdentifier(column)} = $${after + index + 1}`).join(' AND '),
    values: columns.map((column) => asParameter(equal[column])),
  };
}

/** `SELECT "c"::text AS "c", ... FROM ... WHERE <key>`: the columns as text, whatever their type. */
export function selectStatement(request: RowRead): { text: string; values: (string | null)[] } {
  const columns = request.columns.map((column) => `${quoteIdentifier(column)}::text AS ${quoteIdentifier(column)}`);
  const where = whereClause(request.key, 0);
  return {
    text: `SELECT ${columns.join(', ')} FROM ${tableName(request.table)} WHERE ${where.text}`,
    values: where.values,
  };
}

export interface PostgresWriterOptions {
  url: Secret;
  /** Per statement and per connect, below the activity's attempt timeout so an attempt says why it failed. */
  timeoutMs?: number;
}

/** Write-back over a PostgreSQL connection URL: a small pool, opened lazily, closed with the worker. */
export function createPostgresRowWriter(options: PostgresWriterOptions): RowWriter {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pool = new Pool({
    connectionString: options.url.reveal(),
    max: 4,
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
    idleTimeoutMillis: 30_000,
  });
  // An idle client whose server went away emits here; without a listener it would crash the worker.
  pool.on('error', () => undefined);
  const columnTypes = textComparedColumns(pool, tableName);
  return {
    async write(request) {
      try {
        if (request.onlyChanged) return await quietWrite({ pool, poolMs: timeoutMs, columnTypes }, request);
        const result = await boundedQuery(pool, updateStatement(request), request.timeoutMs, timeoutMs);
        return { rows: result.rowCount ?? 0 };
      } catch (error) {
        throw postgresWriteBackError(error, `write-back to ${request.table.schema}.${request.table.name}`);
      }
    },
    async read(request) {
      try {
        const result = await pool.query<Record<string, string | null>>(selectStatement(request));
        return result.rows[0];
      } catch (error) {
        throw postgresWriteBackError(error, `read of ${request.table.schema}.${request.table.name}`);
      }
    },
    close: () => pool.end(),
  };
}

// A statement refused for what it says (42: a rule or an operator, 22: data) may rest on column types of before
// an ALTER TABLE, e.g. json compared as text since the column became text, or `=` on a column that became json.
const STALE_TYPES_SQLSTATE_CLASSES = new Set(['42', '22']);

/** The onlyChanged write; refused as stale, its table's types are looked up again and it is run once more in time. */
async function quietWrite(
  deps: { pool: Pool; poolMs: number; columnTypes: ColumnTypes },
  request: RowWrite,
): Promise<RowWriteResult> {
  const startedAt = Date.now();
  const run = async (limitMs: number | undefined) => {
    const statement = updateStatement(request, await deps.columnTypes.of(request.table));
    const result = await boundedQuery(deps.pool, statement, limitMs, deps.poolMs);
    const [{ rows, changed }] = result.rows as { rows: number; changed: number }[];
    return { rows, changed };
  };
  try {
    return await run(request.timeoutMs);
  } catch (error) {
    const { code } = error as { code?: unknown };
    const left = request.timeoutMs === undefined ? undefined : request.timeoutMs - (Date.now() - startedAt);
    if (typeof code !== 'string' || !STALE_TYPES_SQLSTATE_CLASSES.has(code.slice(0, 2))) throw error;
    if (left !== undefined && left < 1) throw error;
    deps.columnTypes.forget(request.table);
    return run(left);
  }
}

/**
 * One statement; with a bound below the pool's, under `SET LOCAL statement_timeout` in a transaction of its own,
 * so the server ends it (and nothing commits) when the activity's attempt would have timed out.
 */
async function boundedQuery(pool: Pool, statement: QueryConfig, limitMs: number | undefined, poolMs: number) {
  if (limitMs === undefined || limitMs >= poolMs) return pool.query(statement);
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(limitMs))}`);
    const result = await client.query(statement);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((failed: Error) => (broken = failed));
    throw error;
  } finally {
    client.release(broken);
  }
}
