import { createHash } from 'node:crypto';
import { parseHasuraJson } from '../hasura/exact-json';
import { hasuraEventSchema, type HasuraEventBody } from '../hasura/event-schema';
import type { TableName } from './table-rows';

/** The namespace of backfill event ids (RFC 4122's URL namespace: any fixed one would do). */
const NAMESPACE = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex');

/**
 * A UUIDv5 (RFC 4122, SHA-1 name-based) of trigger, table and row key: the same row always gets the
 * same event id, hence the same workflow id, so a second backfill of a row starts nothing.
 */
export function backfillEventId(trigger: string, table: TableName, rowKey: string): string {
  const name = JSON.stringify(['backfill', trigger, table.schema, table.name, rowKey]);
  const hash = createHash('sha1').update(NAMESPACE).update(name).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** `created_at` as Hasura writes its zone-less LocalTime (UTC here): the fraction without trailing zeros. */
export function hasuraLocalTime(at: Date): string {
  return at
    .toISOString()
    .replace('Z', '')
    .replace(/\.?0+$/, '');
}

/**
 * What Hasura sends for a MANUAL invocation of the row (`pg_invoke_event_trigger`: old null, new the
 * row), built around PostgreSQL's own row_to_json text and read by the webhook's lossless reader, so a
 * bigint keeps its digits. No session variables: the bridge, not a Hasura role, invoked it.
 */
export function backfillBody(trigger: string, table: TableName, rowJson: string, id: string, at: Date) {
  const text =
    `{"id":${JSON.stringify(id)},"created_at":${JSON.stringify(hasuraLocalTime(at))},` +
    `"trigger":{"name":${JSON.stringify(trigger)}},"table":${JSON.stringify({ schema: table.schema, name: table.name })},` +
    `"event":{"op":"MANUAL","data":{"old":null,"new":${rowJson}},"session_variables":null,"trace_context":null},` +
    `"delivery_info":{"current_retry":0,"max_retries":0}}`;
  return hasuraEventSchema.parse(parseHasuraJson(text)) as HasuraEventBody;
}
