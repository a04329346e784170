import { CORRELATION_MATCH_LIMIT } from '../correlation-matches';
import { TicketValidationError } from '../errors';
import type { HttpAnswer } from '../http';
import type { LookMany } from '../lookup-batcher';
import type { TicketRef } from '../ticket-target';
import { moreAfter } from './sweep-query';
import { asRecord, listOf, resultOf, stringField, type TableRecord } from './records';

export const REF_FIELDS = 'sys_id,number,state,sys_created_on';
/** Encoded, as the URL carries them: a key of 100 characters in another script can take 900 bytes. */
const LOOKUP_QUERY_BYTES = 4096;
const LOOKUP_BATCH_KEYS = 40;

/** Whether one `IN` query carries these keys well inside the URL lengths instances and proxies accept (8 KB+). */
export const fitsOneQuery = (correlationIds: string[]): boolean =>
  correlationIds.length <= LOOKUP_BATCH_KEYS &&
  encodeURIComponent(correlationIds.join(',')).length <= LOOKUP_QUERY_BYTES;

/** `IN` takes a comma-separated list with no escaping: a key with a comma (or edge spaces) is looked up alone. */
export const batchable = (correlationId: string): boolean =>
  !correlationId.includes(',') && correlationId.trim() === correlationId;

/** One key: the plain equality query. Several: one `IN` query that also returns each record's key. */
export function lookupQuery(correlationIds: readonly string[]): Record<string, string> {
  const [only] = correlationIds;
  const match = correlationIds.length === 1 ? `correlation_id=${only}` : `correlation_idIN${correlationIds.join(',')}`;
  return {
    sysparm_query: `${match}^ORDERBYsys_created_on`,
    sysparm_fields: correlationIds.length === 1 ? REF_FIELDS : `${REF_FIELDS},correlation_id`,
    sysparm_exclude_reference_link: 'true',
    sysparm_limit: String(correlationIds.length * Number(CORRELATION_MATCH_LIMIT)),
  };
}

/**
 * A query for several keys: each key's records, in the answer's order, at most as many as a lookup of that key
 * alone returns. Undefined, and each key is asked alone, when the page may be cut (ACLs drop records after the
 * limit, so a short page without pagination headers proves nothing) or holds a record of no key asked (an
 * instance whose `IN` ignores case or spaces, as its `=` may: alone, the key gets what `=` gives).
 */
export function recordsByKey(
  answer: HttpAnswer,
  records: unknown[],
  correlationIds: readonly string[],
): Map<string, TableRecord[]> | undefined {
  const limit = correlationIds.length * Number(CORRELATION_MATCH_LIMIT);
  if (moreAfter(answer, limit) !== false) return undefined;
  const byKey = new Map(correlationIds.map((id) => [id, [] as TableRecord[]]));
  for (const result of records) {
    const record = asRecord(result);
    const matches = byKey.get(stringField(record, 'correlation_id'));
    if (!matches) return undefined;
    if (matches.length < Number(CORRELATION_MATCH_LIMIT)) matches.push(record);
  }
  return byKey;
}

/** What the batched lookup needs of the client: its Table API call, its lookup of one key, its references. */
export interface LookupCalls {
  query(query: Record<string, string>): Promise<HttpAnswer>;
  alone(correlationId: string, signal?: AbortSignal): Promise<TicketRef[]>;
  refsOf(records: unknown[]): TicketRef[];
}

/**
 * The LookupBatcher's query: one GET for the keys. Each key is asked alone when that page may be cut, or when the
 * instance refused the query itself (a proxy's 414 or 431): alone, each key's query is the one it always was.
 */
export function lookMany(calls: LookupCalls): LookMany {
  return async (correlationIds, signal) => {
    const byKey = correlationIds.length > 1 ? await queryMany(calls, correlationIds) : undefined;
    const found = new Map<string, TicketRef[]>();
    for (const id of correlationIds) {
      const records = byKey?.get(id);
      found.set(id, records ? calls.refsOf(records) : await calls.alone(id, signal));
    }
    return found;
  };
}

async function queryMany(calls: LookupCalls, correlationIds: string[]) {
  try {
    const answer = await calls.query(lookupQuery(correlationIds));
    return recordsByKey(answer, listOf(resultOf(answer)), correlationIds);
  } catch (error) {
    if (error instanceof TicketValidationError) return undefined;
    throw error;
  }
}
