import { ROW_PAYLOAD_BYTES_LIMIT, type Row, type RowEvent, type RowOrderState, type RowState } from '../contract';
import { RowOrder } from './row-order';

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
 * held events without their before-images; the ticket's last image only where no held event has it, and only if
 * it fits — without it, the next update writes every mapped field instead of the changed ones. `skipped` and the
 * links stay as they are. With keepOpenHeads (patch 12-keep-open-heads) the held events are the run's own order's
 * open heads (RowOrder.settled), all of them, in the database's order: carryFits says whether they fit. Without
 * it, the newest by array position always, older ones while they fit (a dropped one could be the newest: lost).
 */
export function carriedState(state: RowState, keepOpenHeads = true, livesAndFloor = true): RowState {
  const order = keepOpenHeads ? settledOrder(state, livesAndFloor) : state.order!;
  let bytes = jsonBytes({ ...state, lastRow: undefined, order: { ...order, held: [] } });
  const kept = order.held
    .map(withoutOld)
    .reverse()
    .filter((event, index) => {
      const size = jsonBytes(event) + 1;
      if (!keepOpenHeads && index > 0 && bytes + size > ROW_PAYLOAD_BYTES_LIMIT) return false;
      bytes += size;
      return true;
    })
    .reverse();
  const digest = state.lastRowDigest;
  const holds = digest !== undefined && digest !== null && kept.some((event) => imageDigestOf(event) === digest);
  const fits = state.lastRow !== undefined && bytes + jsonBytes(state.lastRow) <= ROW_PAYLOAD_BYTES_LIMIT;
  return { ...state, lastRow: !holds && fits ? state.lastRow : undefined, order: { ...order, held: kept } };
}

/** The run's order with what is superseded forgotten (the run's own compaction, on a copy). */
function settledOrder(state: RowState, livesAndFloor: boolean): RowOrderState {
  const rules = { keepOpenHeads: true, rememberForgotten: true, livesAndFloor };
  const order = new RowOrder({ ...state, order: { ...state.order! } }, rules);
  order.settled();
  return order.state;
}

/**
 * The state a run ends with (bounded with BOUNDED_CARRY_PATCH). With keepOpenHeads, when the events that may still
 * be the newest do not fit one payload: none, and why. The run then postpones its end and keeps them: parked, they
 * would wait for an operator who cannot make them fit either; a later change that follows them lets them go.
 */
export function nextRunState(
  state: RowState,
  boundedCarry: boolean,
  keepOpenHeads: boolean,
  livesAndFloor = true,
): { carried?: RowState; refused?: string } {
  if (!boundedCarry) return { carried: state };
  const carried = withinLimit(carriedState(state, keepOpenHeads, livesAndFloor));
  if (!keepOpenHeads || jsonBytes(carried) <= ROW_PAYLOAD_BYTES_LIMIT) return { carried };
  const held = carried.order!.held.map((event) => event.eventId).join(', ');
  const refused =
    `the row's held events that may still be its newest change (${held}) need ${jsonBytes(carried)} bytes, over ` +
    `ROW_PAYLOAD_BYTES_LIMIT (${ROW_PAYLOAD_BYTES_LIMIT}): the run goes on instead of continuing as new or idling`;
  return { refused };
}

/**
 * The remembered ids of forgotten changes give way, oldest first, to held events that fit without them: a held
 * event may be the row's newest change, an old id only guards against a redelivery that old.
 */
function withinLimit(carried: RowState): RowState {
  const order = carried.order;
  const excess = jsonBytes(carried) - ROW_PAYLOAD_BYTES_LIMIT;
  if (excess <= 0 || !order?.forgotten?.length) return carried;
  const idBytes = jsonBytes(order.forgotten) / order.forgotten.length;
  const forgotten = order.forgotten.slice(Math.ceil(excess / idBytes));
  return { ...carried, order: { ...order, forgotten } };
}

/** The ticket's last image of a carried state: carried itself, or the held event's whose digest it has. */
export function carriedLastRow(state: RowState | undefined): Row | undefined {
  const digest = state?.lastRowDigest;
  if (!state || state.lastRow || digest === undefined || digest === null) return state?.lastRow;
  const holder = state.order?.held.find((event) => imageDigestOf(event) === digest);
  return holder && imageOf(holder);
}
