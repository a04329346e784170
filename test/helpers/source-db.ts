import { Client } from 'pg';
import { startHasuraStandin, type HasuraStandin } from '../../dev/hasura-standin/server';
import { startPostgres, type Postgres } from './postgres';

export const STANDIN_SECRET = 'standin-admin-secret';
export const BRIDGE_ROLE = 'incident_bridge';
/** The sample table's ticket columns (hasura/migrations): what write-back writes and nothing else. */
export const TICKET_COLUMNS = [
  'ticket_number',
  'ticket_sys_id',
  'ticket_url',
  'ticket_state',
  'ticket_synced_at',
  'ticket_error',
];

/*
 * The watched database of the write-back tests: the sample table with its ticket columns, and a trigger
 * that records what Hasura's event trigger would: the op, old and new rows (row_to_json) and
 * `current_setting('hasura.user')` as session variables, only when a listened column changed (the
 * metadata's update.columns). Tests read `hasura_events` and deliver each as Hasura's body.
 */
const SCHEMA = `
CREATE TABLE public.incident_request (
  id bigint PRIMARY KEY, title text NOT NULL, priority text, status text DEFAULT 'open',
  ticket_number text, ticket_sys_id text, ticket_url text, ticket_state text, ticket_synced_at timestamptz,
  ticket_error text
);
CREATE TABLE public.hasura_events (
  seq bigserial PRIMARY KEY, id uuid NOT NULL DEFAULT gen_random_uuid(), op text, old json, new json,
  session_variables json, created_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
-- The trigger's update.columns: the sample metadata's list; NULL stands for "*".
CREATE TABLE public.hasura_trigger_columns (columns text[]);
INSERT INTO public.hasura_trigger_columns VALUES (ARRAY['title', 'priority', 'status']);
CREATE FUNCTION public.emulate_hasura_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  listened text[] := (SELECT columns FROM public.hasura_trigger_columns);
  changed boolean := TG_OP <> 'UPDATE';
  c text;
BEGIN
  IF TG_OP = 'UPDATE' AND listened IS NULL THEN
    changed := to_jsonb(OLD) IS DISTINCT FROM to_jsonb(NEW);
  ELSIF TG_OP = 'UPDATE' THEN
    FOREACH c IN ARRAY listened LOOP
      changed := changed OR (to_jsonb(OLD) -> c) IS DISTINCT FROM (to_jsonb(NEW) -> c);
    END LOOP;
  END IF;
  IF changed THEN
    INSERT INTO public.hasura_events (op, old, new, session_variables) VALUES (
      TG_OP,
      CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE row_to_json(OLD) END,
      CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE row_to_json(NEW) END,
      nullif(current_setting('hasura.user', true), '')::json);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER emulate_hasura_trigger AFTER INSERT OR UPDATE OR DELETE ON public.incident_request
  FOR EACH ROW EXECUTE FUNCTION public.emulate_hasura_trigger();
`;

/** Makes the emulated trigger listen to these columns on UPDATE (`'*'`: all, like `update.columns: "*"`). */
export async function listenTo(client: Client, columns: string[] | '*'): Promise<void> {
  await client.query('UPDATE public.hasura_trigger_columns SET columns = $1', [columns === '*' ? null : columns]);
}

export interface SourceDb {
  postgres: Postgres;
  url: string;
  client: Client;
  standin: HasuraStandin;
  close(): Promise<void>;
}

export async function startSourceDb(): Promise<SourceDb> {
  const postgres = await startPostgres();
  await postgres.createDatabase('app');
  const url = postgres.url('app');
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query(SCHEMA);
  const permission = { update: TICKET_COLUMNS, select: ['id'], backendOnly: true };
  const standin = await startHasuraStandin({
    databaseUrl: url,
    adminSecret: STANDIN_SECRET,
    tables: ['public.incident_request'],
    permissions: { [BRIDGE_ROLE]: { 'public.incident_request': permission } },
  });
  return {
    postgres,
    url,
    client,
    standin,
    async close() {
      await standin.close();
      await client.end();
      await postgres.stop();
    },
  };
}
