import { legacyTicketAdoptable, tagVerifies, type CorrelationConfig } from '../common/correlation-tag';
import { CORRELATION_TAG_LENGTH, type InboundRowWrite } from '../contract';
import { rowKeyColumns } from '../mapping/row-key';

/** Reading a ticket's correlation_id back to its row (issue 14), and whether the bridge wrote that key. */

export const NOT_A_ROW_TICKET =
  "not a row ticket of an inbound trigger (another system's ticket, a single-event ticket, or a row key hashed past 100 characters)";

/** Added to the reason a change is ignored for: the key may be set by hand (or by a bridge of before tags). */
export const UNSIGNED_KEY =
  "its correlation_id is not signed with the bridge's correlation secret (untagged and created after " +
  'correlation.legacy_before, or tagged with another secret)';

/** The row a correlation key names, its key as text, and its tag (absent in the untagged form of before tags). */
export type RowOfKey = Pick<InboundRowWrite, 'table' | 'key'> & { rowKey: string; tag?: string };

/** A tag is base64url, so it holds no `.`, which every `schema.table` does: the two forms cannot be confused. */
const TAG = new RegExp(`^([A-Za-z0-9_-]{${CORRELATION_TAG_LENGTH}}):`);

/**
 * `<trigger>:<tag>:<schema>.<table>:<row key>`, or `<trigger>:<schema>.<table>:<row key>` (src/contract/ids.ts),
 * back to the row; undefined for other keys. The key only locates the row: whether the change is the row's ticket
 * is ./inbound-row-check.ts's question, whatever the tag (`signedByTheBridge` only says more in a reason).
 */
export function rowOfCorrelation(
  correlationId: string,
  trigger: { name: string; rowKey: string[] },
): RowOfKey | undefined {
  if (!correlationId.startsWith(`${trigger.name}:`)) return undefined;
  const afterTrigger = correlationId.slice(trigger.name.length + 1);
  const tag = TAG.exec(afterTrigger)?.[1];
  const rest = tag === undefined ? afterTrigger : afterTrigger.slice(tag.length + 1);
  const colon = rest.indexOf(':');
  const dot = rest.indexOf('.');
  if (colon < 0 || dot < 0 || dot > colon) return undefined;
  const rowKey = rest.slice(colon + 1);
  const key = rowKeyColumns(rowKey, trigger.rowKey);
  const table = { schema: rest.slice(0, dot), name: rest.slice(dot + 1, colon) };
  return key && { table, key, rowKey, ...(tag !== undefined && { tag }) };
}

/** A tag made with the secret, or an untagged key on a ticket older than `legacy_before` (review R4). */
export function signedByTheBridge(
  correlation: CorrelationConfig | undefined,
  trigger: string,
  row: RowOfKey,
  createdOn: unknown,
): boolean {
  if (row.tag === undefined) return legacyTicketAdoptable(correlation, createdOn);
  const table = `${row.table.schema}.${row.table.name}`;
  return correlation !== undefined && tagVerifies(correlation, { trigger, table, rowKey: row.rowKey }, row.tag);
}
