import { CORRELATION_MATCH_LIMIT } from '../correlation-matches';
import { TicketError } from '../errors';
import type { HttpAnswer } from '../http';
import type { KeyAnswer, LookMany } from '../lookup-batcher';
import type { TicketRef } from '../ticket-target';
import { moreAfter } from './sweep-query';
import { asRecord, listOf, resultOf, type TableRecord } from './records';

export const REF_FIELDS = 'sys_id,number,state,sys_created_on';
const LOOKUP_QUERY_BYTES = 4096;
const LOOKUP_BATCH_KEYS = 40;
/** A lookup of one key returns at most this many; a query for n keys asks for n times as many. */
const PER_KEY = Number(CORRELATION_MATCH_LIMIT);

/**
 * Whether one `IN` query carries these keys well inside the URL lengths instances and proxies accept (8 KB+),
 * measured as the HTTP client encodes the query (form encoding: a key in another script, or of `(`, triples).
 */
export const fitsOneQuery = (correlationIds: string[]): boolean =>
  correlationIds.length <= LOOKUP_BATCH_KEYS &&
  new URLSearchParams({ sysparm_query: `correlation_idIN${correlationIds.join(',')}` }).toString().length <=
    LOOKUP_QUERY_BYTES;

/**
 * `IN` takes a comma-separated list with no escaping: a key with a comma or edge spaces is looked up alone; so is
 * one starting `javascript:`, which ServiceNow may evaluate as script when it leads an `IN` list.
 */
export const batchable = (correlationId: string): boolean =>
  !correlationId.includes(',') && correlationId.trim() === correlationId && !/^javascript:/i.test(correlationId);

/** One key: the plain equality query. Several: one `IN` query that also returns each record's key. */
export function lookupQuery(correlationIds: readonly string[]): Record<string, string> {
  const [only] = correlationIds;
  const match = correlationIds.length === 1 ? `correlation_id=${only}` : `correlation_idIN${correlationIds.join(',')}`;
  return {
    sysparm_query: `${match}^ORDERBYsys_created_on`,
    sysparm_fields: correlationIds.length === 1 ? REF_FIELDS : `${REF_FIELDS},correlation_id`,
    sysparm_exclude_reference_link: 'true',
    sysparm_limit: String(correlationIds.length * PER_KEY),
  };
}

/**
 * A query for several keys: each key's records, in the answer's order, at most as many as a lookup of that key
 * alone returns. Undefined, and each key is asked alone, when the answer cannot prove that: the page may be cut
 * (ACLs drop records after the limit, so a short page without pagination headers proves nothing); a record shows
 * no key asked, or none (an `IN` that ignores case, a field ACL); two keys differ only in case (where `=` ignores
 * case, alone each gets both keys' records).
 */
export function recordsByKey(
  answer: HttpAnswer,
  records: unknown[],
  correlationIds: readonly string[],
): Map<string, TableRecord[]> | undefined {
  if (moreAfter(answer, correlationIds.length * PER_KEY) !== false) return undefined;
  if (new Set(correlationIds.map((id) => id.toLowerCase())).size < correlationIds.length) return undefined;
  const byKey = new Map(correlationIds.map((id) => [id, [] as TableRecord[]]));
  for (const result of records) {
    const record = asRecord(result);
    const key = record.correlation_id;
    const matches = typeof key === 'string' ? byKey.get(key) : undefined;
    if (!matches) return undefined;
    if (matches.length < PER_KEY) matches.push(record);
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
 * The LookupBatcher's query: one GET for the keys. Each key is asked alone when that answer cannot be split, or
 * when the query itself was refused (a proxy's 414 or 431, HTML or not): alone, each key's query is the one it
 * always was, and a key refused alone fails only its own lookups.
 */
export function lookMany(calls: LookupCalls): LookMany {
  return async (correlationIds, signal) => {
    const byKey = correlationIds.length > 1 ? await queryMany(calls, correlationIds) : undefined;
    const found = new Map<string, KeyAnswer>();
    for (const id of correlationIds) {
      const records = byKey?.get(id);
      found.set(id, await settled(async () => (records ? calls.refsOf(records) : calls.alone(id, signal))));
    }
    return found;
  };
}

const settled = (lookup: () => Promise<TicketRef[]>): Promise<KeyAnswer> =>
  lookup().then(
    (value) => ({ status: 'fulfilled', value }),
    (reason: unknown) => ({ status: 'rejected', reason }),
  );

/**
 * A 4xx may refuse the request as sent (400, a WAF's 403, 414, 431) rather than every key in it: each key is asked
 * alone, at most one call each, and fails only itself. Not credentials (401, renewed once already) or the rate (429).
 */
const refusedAsSent = (error: unknown): boolean =>
  error instanceof TicketError &&
  error.status !== undefined &&
  error.status >= 400 &&
  error.status < 500 &&
  ![401, 429].includes(error.status);

async function queryMany(calls: LookupCalls, correlationIds: string[]) {
  try {
    const answer = await calls.query(lookupQuery(correlationIds));
    return recordsByKey(answer, listOf(resultOf(answer)), correlationIds);
  } catch (error) {
    if (refusedAsSent(error)) return undefined;
    throw error;
  }
}
