import { isSafeNumber, parse } from 'lossless-json';

/**
 * `row_to_json` sends bigint and numeric columns as JSON numbers; JSON.parse would round those past
 * 2^53 (two rows, one ticket). A number a double cannot hold exactly keeps its digits, as a string,
 * all the way to the row key, the correlation id and the ticket fields.
 */
const exactNumber = (digits: string): number | string => (isSafeNumber(digits) ? Number(digits) : digits);

const rounded = (value: unknown) =>
  typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value);

/** Whether JSON.parse rounded a column of the event's rows: what row keys and ticket fields are made of. */
function roundsAColumn(body: unknown): boolean {
  const data = (body as { event?: { data?: { old?: unknown; new?: unknown } } } | null)?.event?.data;
  const rows = [data?.old, data?.new].filter((row): row is object => row !== null && typeof row === 'object');
  return rows.some((row) => Object.values(row).some(rounded));
}

/**
 * A Hasura body (the webhook's request, catch-up's `event_log.payload::text`) read without rounding.
 * lossless-json recurses per level: a body nested deeper than its stack (a deep `json` column) is read
 * by JSON.parse instead, which may round numbers inside such a column but must not round a column.
 */
export function parseHasuraJson(text: string): unknown {
  try {
    // A repeated key keeps its last value, as JSON.parse does (a `json` column may hold one).
    return parse(text, null, { parseNumber: exactNumber, onDuplicateKey: ({ newValue }) => newValue });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    const body: unknown = JSON.parse(text);
    if (roundsAColumn(body)) throw new SyntaxError('a column past 2^53 comes with nesting too deep to read it exactly');
    return body;
  }
}
