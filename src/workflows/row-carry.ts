import { ROW_PAYLOAD_BYTES_LIMIT, type Row, type RowEvent, type RowState } from '../contract';

/*
 * What a row run sends stays within Temporal's blob size limit by design (README "Mappings, lifecycle"): every
 * image is at most ROW_IMAGE_BYTES_LIMIT (the forward refuses larger ones), and a run's own payloads, a ticket
 * call or the state it carries into its next run, at most ROW_PAYLOAD_BYTES_LIMIT.
 */

/** The image a change leaves the ticket with: the new row, or the removed one for a DELETE. */
export const imageOf = (event: RowEvent): Row | undefined => event.data.new ?? event.data.old ?? undefined;

/** imageOf's digest (RowImages); absent from forwarders older than issue 12. */
export const imageDigestOf = (event: RowEvent): string | null | undefined =>
  event.images && (event.images.after ?? event.images.before);

const jsonBytes = (value: unknown): number => new TextEncoder().encode(JSON.stringify(value) ?? '').length;

/** An UPDATE without its before-image: its place in the row's chain needs only the digest (images.before). */
function withoutOld(event: RowEvent): RowEvent {
  return event.op === 'UPDATE' && event.data.old ? { ...event, data: { old: null, new: event.data.new } } : event;
}

/**
 * The event as a ticket call takes it, beside the ticket's last image: without its before-image when that is the
 * same image (the activity puts it back by digest), or when the three images would not fit one payload.
 */
export function forTicketCall(event: RowEvent, state: RowState): RowEvent {
  const before = event.images?.before;
  if (!state.lastRow || !event.data.old) return event;
  if (before && before === state.lastRowDigest) return withoutOld(event);
  return jsonBytes(event) + jsonBytes(state.lastRow) > ROW_PAYLOAD_BYTES_LIMIT ? withoutOld(event) : event;
}

/**
 * The state a run hands to its next run (continue-as-new input, the idle memo), within ROW_PAYLOAD_BYTES_LIMIT:
 * held events without their before-images, the newest always (one image fits), older ones newest first while
 * they fit; the ticket's last image only where no held event has it, and only if it fits — without it, the next
 * update writes every mapped field instead of the changed ones. `skipped` and the links stay as they are.
 */
export function carriedState(state: RowState): RowState {
  const order = state.order!;
  let bytes = jsonBytes({ ...state, lastRow: undefined, order: { ...order, held: [] } });
  const kept = order.held
    .map(withoutOld)
    .reverse()
    .filter((event, index) => {
      const size = jsonBytes(event) + 1;
      if (index > 0 && bytes + size > ROW_PAYLOAD_BYTES_LIMIT) return false;
      bytes += size;
      return true;
    })
    .reverse();
  const digest = state.lastRowDigest;
  const held = digest !== undefined && digest !== null && kept.some((event) => imageDigestOf(event) === digest);
  const fits = state.lastRow !== undefined && bytes + jsonBytes(state.lastRow) <= ROW_PAYLOAD_BYTES_LIMIT;
  return { ...state, lastRow: !held && fits ? state.lastRow : undefined, order: { ...order, held: kept } };
}

/** The ticket's last image of a carried state: carried itself, or the held event's whose digest it has. */
export function carriedLastRow(state: RowState | undefined): Row | undefined {
  const digest = state?.lastRowDigest;
  if (!state || state.lastRow || digest === undefined || digest === null) return state?.lastRow;
  const holder = state.order?.held.find((event) => imageDigestOf(event) === digest);
  return holder && imageOf(holder);
}
