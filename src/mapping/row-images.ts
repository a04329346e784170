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

/** `text` cut to at most `bytes` UTF-8 bytes at a character boundary, saying how much was kept. */
function cutText(text: string, bytes: number): string {
  const whole = Buffer.byteLength(text);
  const kept = new TextDecoder().decode(Buffer.from(text).subarray(0, Math.max(0, bytes))).replace(/\uFFFD+$/, '');
  return `${kept}… [cut by incident-bridge: ${Buffer.byteLength(kept)} of ${whole} bytes kept]`;
}

/**
 * The row with its longest text values cut until it fits, or undefined when cutting every text is not enough. A
 * ticket field holds far less (ServiceNow's description: 4 000 characters by default); the cut says so.
 */
function textsCut(row: Row): Row | undefined {
  const cut: Row = { ...row };
  const texts = Object.keys(cut).filter((column) => typeof cut[column] === 'string');
  texts.sort((a, b) => Buffer.byteLength(cut[b] as string) - Buffer.byteLength(cut[a] as string));
  for (const column of texts) {
    const excess = jsonBytes(cut) - ROW_IMAGE_BYTES_LIMIT;
    if (excess <= 0) break;
    const text = cut[column] as string;
    // The note's own bytes (≤ 64) come on top of the excess.
    cut[column] = cutText(text, Buffer.byteLength(text) - excess - 64);
  }
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
 * its longest texts are cut; its digest is the full image's, so the run orders its events as the database made
 * them. Images that fit are carried whole.
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
export function withOldImage(event: RowEvent, previousRow: Row | undefined): RowEvent {
  const { op, data, images } = event;
  if (op !== 'UPDATE' || data.old || !previousRow || !images?.before) return event;
  return digest(previousRow) === images.before ? { ...event, data: { ...data, old: previousRow } } : event;
}
