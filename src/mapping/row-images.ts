import { createHash } from 'node:crypto';
import type { HasuraEvent, Row, RowEvent, RowImages } from '../contract';

/** JSON with object keys sorted at every level: one text per value, whatever the column order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

// 128 bits: collisions among one row's images are out of reach, and the row workflow keeps hundreds.
const digest = (row: Row) => createHash('sha256').update(canonicalJson(row)).digest('hex').slice(0, 32);

/**
 * What the row was before and after the change. A MANUAL invocation changes nothing: before and
 * after are both the row as it is.
 */
export function rowImagesOf(event: HasuraEvent): RowImages {
  const { old: before, new: after } = event.data;
  if (event.op === 'MANUAL') return { before: after && digest(after), after: after && digest(after) };
  return { before: before && digest(before), after: after && digest(after) };
}

/** The event as its row workflow receives it. */
export function toRowEvent(event: HasuraEvent): RowEvent {
  return { ...event, images: rowImagesOf(event) };
}
