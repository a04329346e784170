import type { Pool, PoolClient } from 'pg';
import { noEventLog } from './event-log';
import { SOURCE_URL_KEY, sourceFailure } from './postgres';

/*
 * Catch-up's own record in the source database of the events it delivered, so that a later sweep skips
 * them (review s7b: a given-up event re-sent at every sweep ends up placed as new by its row run once the
 * run no longer remembers it). Hasura's catalog stays read-only; this table is the bridge's.
 */
export const CAUGHT_UP_TABLE = 'incident_bridge.caught_up_events';

/** The table's owner sees it as it is made here (README "Catch-up" gives the same SQL to a DBA). */
const CREATE_TABLE_SQL = `CREATE TABLE IF NOT EXISTS ${CAUGHT_UP_TABLE} (
  event_id text PRIMARY KEY,
  trigger_name text NOT NULL,
  delivered_at timestamptz NOT NULL DEFAULT now()
)`;

/*
 * From pg_catalog, which every role may read: to_regclass would fail without USAGE on the schema, and
 * CREATE SCHEMA IF NOT EXISTS checks the database's CREATE privilege before it looks whether the schema is there.
 */
const STATE_SQL = `
SELECT current_user AS role, current_database() AS db,
  current_setting('transaction_read_only') = 'on' AS read_only,
  EXISTS (SELECT FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'hdb_catalog' AND c.relname = 'event_log') AS has_event_log,
  n.oid IS NOT NULL AS has_schema, c.oid IS NOT NULL AS has_table,
  coalesce(has_schema_privilege(n.oid, 'USAGE'), false) AS can_use,
  coalesce(has_table_privilege(c.oid, 'SELECT'), false) AS can_read,
  coalesce(has_table_privilege(c.oid, 'INSERT'), false) AS can_write
FROM (SELECT 1) AS one
LEFT JOIN pg_namespace n ON n.nspname = 'incident_bridge'
LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = 'caught_up_events'`;

interface State {
  role: string;
  db: string;
  /** A hot standby, or a role or database with default_transaction_read_only: the marks cannot be written. */
  read_only: boolean;
  has_event_log: boolean;
  has_schema: boolean;
  has_table: boolean;
  can_use: boolean;
  can_read: boolean;
  can_write: boolean;
}

const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** `role` unknown: the grant still reads as what to do. */
function grantNeeded(role: string, detail: string): Error {
  return new Error(
    `catch-up cannot use its table ${CAUGHT_UP_TABLE} at ${SOURCE_URL_KEY} (${detail}): ` +
      `GRANT USAGE ON SCHEMA incident_bridge TO ${role}; GRANT SELECT, INSERT ON ${CAUGHT_UP_TABLE} TO ${role}`,
  );
}

function createRefused(state: State, error: Error): Error {
  const grant = state.has_schema
    ? `GRANT CREATE ON SCHEMA incident_bridge TO ${quoted(state.role)}`
    : `GRANT CREATE ON DATABASE ${quoted(state.db)} TO ${quoted(state.role)}`;
  return new Error(
    `catch-up cannot create its table ${CAUGHT_UP_TABLE} at ${SOURCE_URL_KEY} (${error.message}): ${grant}, ` +
      `or create the table beforehand (README "Catch-up") and GRANT SELECT, INSERT on it`,
  );
}

/** Delivered but never marked, every sweep would send its first page again: refused before delivering. */
function readOnly(state: State): Error {
  return new Error(
    `catch-up cannot record what it delivers in ${CAUGHT_UP_TABLE} at ${SOURCE_URL_KEY}: the session is read-only ` +
      `(a standby, or default_transaction_read_only): point it at the primary, or ` +
      `ALTER ROLE ${quoted(state.role)} SET default_transaction_read_only = off`,
  );
}

const refused = (error: unknown) => (error as { code?: string }).code === '42501';

/** One sweep made at a time: CREATE SCHEMA / TABLE IF NOT EXISTS race each other otherwise (23505). */
async function createTable(client: PoolClient, state: State): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [CAUGHT_UP_TABLE]);
    if (!state.has_schema) await client.query('CREATE SCHEMA IF NOT EXISTS incident_bridge');
    await client.query(CREATE_TABLE_SQL);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Before a sweep: whether its page query can leave out caught-up events (false only in a dry run on a
 * database without the table, which a dry run never creates); creates the table for a real sweep. Fails
 * with the grant to give when the role may not create, read or (a real sweep) insert into it.
 */
export async function prepareCaughtUp(pool: Pool, dryRun: boolean): Promise<boolean> {
  let state: State;
  try {
    state = (await pool.query<State>(STATE_SQL)).rows[0];
  } catch (error) {
    throw sourceFailure(error);
  }
  if (!state.has_event_log) throw noEventLog();
  if (!dryRun && state.read_only) throw readOnly(state);
  if (state.has_table) {
    if (!state.can_use || !state.can_read || (!dryRun && !state.can_write))
      throw grantNeeded(quoted(state.role), 'permission denied');
    return true;
  }
  if (dryRun) return false;
  const client = await pool.connect().catch((error: unknown) => Promise.reject(sourceFailure(error)));
  try {
    await createTable(client, state);
    client.release();
    return true;
  } catch (error) {
    client.release(true); // its connection may be the broken thing: not back into the pool
    throw refused(error) ? createRefused(state, error as Error) : sourceFailure(error);
  }
}

const MARK_SQL = `INSERT INTO ${CAUGHT_UP_TABLE} (event_id, trigger_name)
SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`;

/** Records events whose delivery returned. A concurrent sweep may have marked them already: no conflict. */
export async function markCaughtUp(pool: Pool, events: { id: string; trigger: string }[]): Promise<void> {
  if (events.length === 0) return;
  try {
    await pool.query(MARK_SQL, [events.map((event) => event.id), events.map((event) => event.trigger)]);
  } catch (error) {
    if (refused(error)) throw grantNeeded(`the role of ${SOURCE_URL_KEY}`, (error as Error).message);
    throw sourceFailure(error);
  }
}
