import type { HasuraEvent, Row } from '../contract';

/** The row a ticket describes: the new image, or the old one for a DELETE. */
export function currentRow(event: HasuraEvent): Row {
  return event.data.new ?? event.data.old ?? {};
}

/** `/` joins the columns of a composite key, so inside a value it (and the escape, `%`) is percent-encoded. */
const escapeComponent = (value: string) => value.replace(/%/g, '%25').replace(/\//g, '%2F');

/**
 * The row's identity within its table, as text: one column's value as it is; a composite key's
 * values joined by `/`, each escaped, so ("a/b", "c") and ("a", "b/c") stay two rows. Values
 * without `/` or `%` read as before. Numbers past 2^53 arrive as their digits (src/api/json-body.ts).
 */
export function rowKeyOf(row: Row, columns: string[]): string {
  const values = columns.map((column) => String(row[column] ?? ''));
  return values.length === 1 ? values[0] : values.map(escapeComponent).join('/');
}

/**
 * rowKeyOf backwards: the key columns' values (as text) of a row key, for a write to the row named by
 * a ticket's correlation key. Undefined when the key cannot be one of these columns' keys.
 */
export function rowKeyColumns(rowKey: string, columns: string[]): Record<string, string> | undefined {
  if (columns.length === 1) return { [columns[0]]: rowKey };
  const parts = rowKey.split('/');
  if (parts.length !== columns.length) return undefined;
  // One pass, so an escaped "%2F" inside a value ("%252F") comes back as the text "%2F".
  const unescape = (part: string) => part.replace(/%2F|%25/g, (match) => (match === '%2F' ? '/' : '%'));
  return Object.fromEntries(columns.map((column, i) => [column, unescape(parts[i])]));
}
