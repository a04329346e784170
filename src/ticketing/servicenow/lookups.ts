import { CORRELATION_MATCH_LIMIT } from '../correlation-matches';
import type { HttpAnswer } from '../http';
import { moreAfter } from './sweep-query';
import { asRecord, stringField, type TableRecord } from './records';

export const REF_FIELDS = 'sys_id,number,state,sys_created_on';
/** About 4 KB of keys (≤ 100 characters each): well inside the URL length instances and proxies accept. */
export const LOOKUP_BATCH_KEYS = 40;

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
 * A query for several keys: each key's records, in the answer's order, at most as many as a lookup of that key alone returns;
 * undefined when the page may be cut (ACLs drop records after the limit): then each key is asked alone.
 * Keys compare exactly: an instance whose `=` ignores case would put another key's ticket in this one's.
 */
export function recordsByKey(
  answer: HttpAnswer,
  records: unknown[],
  correlationIds: readonly string[],
): Map<string, TableRecord[]> | undefined {
  const limit = correlationIds.length * Number(CORRELATION_MATCH_LIMIT);
  if (moreAfter(answer, limit) ?? records.length >= limit) return undefined;
  const byKey = new Map(correlationIds.map((id) => [id, [] as TableRecord[]]));
  for (const result of records) {
    const record = asRecord(result);
    const matches = byKey.get(stringField(record, 'correlation_id'));
    if (matches && matches.length < Number(CORRELATION_MATCH_LIMIT)) matches.push(record);
  }
  return byKey;
}
