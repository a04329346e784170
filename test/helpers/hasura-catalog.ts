import { Client } from 'pg';
import type { Postgres } from './postgres';

/*
 * Hasura v2's event catalog in a source database, as the engine creates it, so catch-up is tested on the
 * real layout: hdb_catalog.event_log and insert_event_log from server/src-rsr/init_pg_source.sql
 * (hasura/graphql-engine), with session_variables read as NULLIF(current_setting('hasura.user', 't'), '')
 * per pg_source_migrations/3_to_4.sql; the per-trigger function follows trigger.sql.shakespeare. Events are
 * made by PostgreSQL itself: row_to_json, so a bigint stays a JSON number with every digit.
 */
const CATALOG_SQL = `
CREATE SCHEMA IF NOT EXISTS hdb_catalog;
CREATE SCHEMA IF NOT EXISTS hdb_views;
CREATE OR REPLACE FUNCTION hdb_catalog.gen_hasura_uuid() RETURNS uuid AS 'select gen_random_uuid()' LANGUAGE SQL;
CREATE TABLE hdb_catalog.event_log (
  id TEXT DEFAULT hdb_catalog.gen_hasura_uuid() PRIMARY KEY,
  schema_name TEXT NOT NULL,
  table_name TEXT NOT NULL,
  trigger_name TEXT NOT NULL,
  payload JSONB NOT NULL,
  delivered BOOLEAN NOT NULL DEFAULT FALSE,
  error BOOLEAN NOT NULL DEFAULT FALSE,
  tries INTEGER NOT NULL DEFAULT 0,
  created_at TIMESTAMP DEFAULT NOW(),
  locked TIMESTAMPTZ,
  next_retry_at TIMESTAMP,
  archived BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX ON hdb_catalog.event_log (trigger_name);
CREATE OR REPLACE FUNCTION
  hdb_catalog.insert_event_log(schema_name text, table_name text, trigger_name text, op text, row_data json)
  RETURNS text AS $$
  DECLARE
    id text;
    payload json;
    session_variables json;
    trace_context json;
  BEGIN
    id := gen_random_uuid();
    session_variables := NULLIF(current_setting('hasura.user', 't'), '');
    trace_context := NULLIF(current_setting('hasura.tracecontext', 't'), '');
    payload := json_build_object('op', op, 'data', row_data, 'session_variables', session_variables,
      'trace_context', trace_context);
    INSERT INTO hdb_catalog.event_log (id, schema_name, table_name, trigger_name, payload)
    VALUES (id, schema_name, table_name, trigger_name, payload);
    RETURN id;
  END;
$$ LANGUAGE plpgsql;`;

/** Hasura's trigger for `trigger` on the table: every column (insert/update/delete columns "*"). */
function triggerSql(trigger: string, table: string): string {
  return `
CREATE OR REPLACE FUNCTION hdb_views."notify_hasura_${trigger}"() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE _data json;
  BEGIN
    _data := json_build_object(
      'old', CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE row_to_json(OLD) END,
      'new', CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE row_to_json(NEW) END);
    IF (TG_OP <> 'UPDATE') OR (OLD <> NEW) THEN
      PERFORM hdb_catalog.insert_event_log(CAST(TG_TABLE_SCHEMA AS text), CAST(TG_TABLE_NAME AS text),
        CAST('${trigger}' AS text), TG_OP, _data);
    END IF;
    RETURN NULL;
  END;
$$;
CREATE TRIGGER "notify_hasura_${trigger}" AFTER INSERT OR UPDATE OR DELETE ON ${table}
  FOR EACH ROW EXECUTE PROCEDURE hdb_views."notify_hasura_${trigger}"();`;
}

export const SAMPLE_TABLE_SQL = `CREATE TABLE public.incident_request (
  id bigint PRIMARY KEY, title text NOT NULL, description text, priority text, status text)`;

export interface SourceDatabase {
  url: string;
  client: Client;
  /** Every catalog row as text, in id order: to prove a run left it as it was. */
  catalogSnapshot(): Promise<string>;
  close(): Promise<void>;
}

/** A database with Hasura's catalog, the sample table and Hasura's triggers on it. */
export async function sourceDatabase(pg: Postgres, name: string, triggers: string[]): Promise<SourceDatabase> {
  await pg.createDatabase(name);
  const url = pg.url(name);
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query(CATALOG_SQL);
  await client.query(SAMPLE_TABLE_SQL);
  for (const trigger of triggers) await client.query(triggerSql(trigger, 'public.incident_request'));
  return {
    url,
    client,
    async catalogSnapshot() {
      const { rows } = await client.query('SELECT e::text AS row FROM hdb_catalog.event_log e ORDER BY id');
      return rows.map((row: { row: string }) => row.row).join('\n');
    },
    close: () => client.end(),
  };
}
