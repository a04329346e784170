import { createHash } from 'node:crypto';
import { ROW_IMAGE_BYTES_LIMIT, type HasuraEvent, type Row, type RowEvent, type RowImages } from '../contract';

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

const jsonBytes = (row: Row) => Buffer.byteLength(JSON.stringify(row));

const fits = (row: Row) => jsonBytes(row) <= ROW_IMAGE_BYTES_LIMIT;

/**
 * A text kept whole up to this many UTF-8 bytes when an image must be cut: far more than a ticket field holds
 * (ServiceNow's `description`: 4 000 characters by default), and fixed, so a value is cut the same way in every
 * image whatever the other columns hold (an unchanged text must not look changed).
 */
export const CUT_TEXT_BYTES = 16 * 1024;

/** `text` cut to CUT_TEXT_BYTES at a character boundary; the note's hash tells apart texts that differ beyond. */
function cutText(text: string): string {
  const whole = Buffer.byteLength(text);
  const kept = new TextDecoder().decode(Buffer.from(text).subarray(0, CUT_TEXT_BYTES)).replace(/\uFFFD+$/, '');
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
  return `${kept}… [cut by incident-bridge: ${Buffer.byteLength(kept)} of ${whole} bytes kept, sha256 ${hash}]`;
}

/** The row with every text over CUT_TEXT_BYTES cut, or undefined when it still does not fit. */
function textsCut(row: Row): Row | undefined {
  const cut = Object.fromEntries(
    Object.entries(row).map(([column, value]) => [
      column,
      typeof value === 'string' && Buffer.byteLength(value) > CUT_TEXT_BYTES ? cutText(value) : value,
    ]),
  );
  return fits(cut) ? cut : undefined;
}

/** The image with only `columns` (all when any may matter), its texts cut if it is still over the limit. */
function trimmed(image: Row, columns: string[] | undefined): Row | undefined {
  const kept = columns
    ? Object.fromEntries(columns.filter((column) => Object.hasOwn(image, column)).map((c) => [c, image[c]]))
    : image;
  return fits(kept) ? kept : textsCut(kept);
}

/**
 * The event as its row workflow receives it. Each image must fit ROW_IMAGE_BYTES_LIMIT: a row run sends up to two
 * in one ticket call and carries one into its next run, all under Temporal's blob size limit. An image over it
 * keeps only `mappedColumns` (the trigger's templates and key: all a ticket call reads), and if that is still over,
 * its texts over CUT_TEXT_BYTES are cut; its digest is the full image's, so the run orders its events as the
 * database made them. Images that fit are carried whole.
 */
export function toRowEvent(event: HasuraEvent, mappedColumns?: string[]): RowEvent {
  const data = { ...event.data };
  for (const side of ['old', 'new'] as const) {
    const image = data[side];
    if (!image || fits(image)) continue;
    const kept = trimmed(image, mappedColumns);
    if (!kept) throw new RowImageTooLargeError(side, jsonBytes(image), mappedColumns !== undefined);
    data[side] = kept;
  }
  return { ...event, data, images: rowImagesOf(event) };
}

/**
 * A row image over ROW_IMAGE_BYTES_LIMIT even with only its mapped columns and their texts cut: permanent (413 at the
 * webhook; an event workflow from before direct delivery parks for an operator, src/activities/failures.ts).
 */
export class RowImageTooLargeError extends Error {
  constructor(side: 'old' | 'new', bytes: number, trimmable: boolean) {
    const why = trimmable
      ? 'even with only the columns its templates and key read and every text in them cut'
      : 'even with every text cut, and a template reads the whole image (row, old or new without a column), so no ' +
        'column can be left out';
    super(
      `the row's ${side} image is ${Math.ceil(bytes / 1024)} KiB, over the ${ROW_IMAGE_BYTES_LIMIT / 1024} KiB a ` +
        `row workflow takes per image (Temporal's 2 MiB payload limit; README "Mappings, lifecycle") ${why}: the ` +
        `row's ticket cannot follow this change; narrow the mapped columns or the trigger's, then abandon this event`,
    );
    this.name = 'RowImageTooLargeError';
  }
}

/**
 * An UPDATE whose before-image a row run left out (it was the ticket's last image, `previousRow`: the same
 * digest), with that image back, so templates and "what changed" see the event as delivered.
 */
export function withOldImage(event: RowEvent, previousRow: Row | undefined, previousDigest?: string | null): RowEvent {
  const { op, data, images } = event;
  if (op !== 'UPDATE' || data.old || !previousRow || !images?.before) return event;
  // previousRow may be trimmed or cut (toRowEvent): its digest is the whole image's, which the run sends along.
  const digestOfPrevious = previousDigest ?? digest(previousRow);
  return digestOfPrevious === images.before ? { ...event, data: { ...data, old: previousRow } } : event;
}
