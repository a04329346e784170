import type { Pool } from 'pg';
import { SOURCE_URL_KEY, sourceFailure } from './postgres';

/** One event Hasura gave up on, with the body it would have posted, as PostgreSQL wrote it. */
export interface GivenUpEvent {
  id: string;
  trigger: string;
  /** The delivery body as JSON text: bigint columns keep their digits until the lossless parse. */
  body: string;
  /** For the keyset of the next page. */
  createdAt: string;
}

export interface GivenUpQuery {
  triggers: string[];
  /** Only events created at or after this (ISO text, read as the catalog's zone-less time). */
  since?: string;
  /** Keyset: events after this one in (created_at, id) order. */
  after?: { createdAt: string; id: string };
  limit: number;
  /** Leaves out the events this table's `event_id` lists (catch-up's caught-up marks). */
  except?: string;
}

/*
 * Hasura's EventPayload, built by PostgreSQL from the catalog row so no number passes through a double:
 * `created_at` as aeson encodes a LocalTime (no zone; the fraction without trailing zeros, none when
 * zero), `delivery_info.current_retry` = tries. max_retries is Hasura metadata (retry_conf), not in the
 * row: a given-up event used them all, so it is tries - 1 (informational; the workflow does not read it).
 * Read-only: the catalog is Hasura's, never written here.
 */
const givenUpSql = (except: string | undefined) => `
SELECT id, trigger_name AS trigger, created_at::text AS at,
  json_build_object(
    'id', id,
    'created_at', to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS')
      || rtrim(rtrim(to_char(created_at, '.US'), '0'), '.'),
    'trigger', json_build_object('name', trigger_name),
    'table', json_build_object('schema', schema_name, 'name', table_name),
    'event', payload,
    'delivery_info', json_build_object('current_retry', tries, 'max_retries', greatest(tries - 1, 0))
  )::text AS body
FROM hdb_catalog.event_log e
WHERE error AND NOT delivered AND NOT archived
  ${except ? `AND NOT EXISTS (SELECT FROM ${except} x WHERE x.event_id = e.id)` : ''}
  AND trigger_name = ANY($1::text[])
  AND ($2::timestamp IS NULL OR created_at >= $2::timestamp)
  AND ($3::timestamp IS NULL OR (created_at, id) > ($3::timestamp, $4::text))
ORDER BY created_at, id
LIMIT $5`;

/** The page query's 42P01 and catch-up's check before it: the URL names another database. */
export const noEventLog = () =>
  new Error(`no hdb_catalog.event_log at ${SOURCE_URL_KEY}: point it at the database Hasura's triggers watch`);

/** One page of given-up events of the triggers, oldest first. */
export async function readGivenUp(pool: Pool, query: GivenUpQuery): Promise<GivenUpEvent[]> {
  const params = [query.triggers, query.since ?? null, query.after?.createdAt ?? null, query.after?.id ?? null];
  try {
    const { rows } = await pool.query<{ id: string; trigger: string; at: string; body: string }>(
      givenUpSql(query.except),
      [...params, query.limit],
    );
    return rows.map((row) => ({ id: row.id, trigger: row.trigger, body: row.body, createdAt: row.at }));
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') throw noEventLog();
    throw sourceFailure(error);
  }
}
