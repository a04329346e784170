import {
  ROW_IMAGE_BYTES_LIMIT,
  ROW_PAYLOAD_BYTES_LIMIT,
  type Row,
  type RowEvent,
  type RowState,
} from '../../src/contract';
import { toRowEvent, withOldImage } from '../../src/mapping/row-images';
import { carriedLastRow, carriedState, forTicketCall, nextRunState } from '../../src/workflows/row-carry';
import { linkOf } from '../../src/workflows/row-order';

/*
 * What a row run sends into its next run and into a ticket call stays within Temporal's blob size limit
 * (src/workflows/row-carry.ts), with the largest images the forward lets through.
 */

const image = (version: number): Row => ({
  id: 7,
  title: `v${version}`,
  blob: 'x'.repeat(ROW_IMAGE_BYTES_LIMIT - 100),
});
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/** UPDATE v(k-1) → v(k), k = 1..count, each image at the limit. */
function updates(count: number): RowEvent[] {
  return Array.from({ length: count }, (_, index) =>
    toRowEvent({
      eventId: `00000000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`,
      trigger: 'tr',
      table: { schema: 'public', name: 'incident_request' },
      op: 'UPDATE',
      createdAt: `2026-12-02T10:00:0${index + 1}.000000`,
      data: { old: image(index), new: image(index + 1) },
      sessionVariables: null,
    }),
  );
}

function stateWith(held: RowEvent[], lastRowFrom: RowEvent): RowState {
  const order = { links: held.map(linkOf), held, appliedId: lastRowFrom.eventId, received: held.length };
  const lastRow = lastRowFrom.data.new!;
  return { seen: [], pending: [], applied: 1, skipped: 0, lastRow, lastRowDigest: lastRowFrom.images!.after, order };
}

test('when several held events have images at the limit, then the carried state fits and keeps the newest and the ticket’s last image', () => {
  const events = updates(4);
  const state = stateWith(events, events[3]);
  expect(bytes(state)).toBeGreaterThan(2 * 1024 * 1024);

  const carried = JSON.parse(JSON.stringify(carriedState(state))) as RowState;
  expect(bytes(carried)).toBeLessThanOrEqual(ROW_PAYLOAD_BYTES_LIMIT);
  const newest = carried.order!.held.at(-1)!;
  expect(newest.eventId).toBe(events[3].eventId);
  expect(newest.data).toEqual({ old: null, new: image(4) });
  // The ticket's last image is the newest held event's: carried once, found again by its digest.
  expect(carried.lastRow).toBeUndefined();
  expect(carriedLastRow(carried)).toEqual(image(4));
});

test('when the ticket’s last image is no held event’s and does not fit beside them, then it is left out, never the newest event', () => {
  // Runs from before patch 12-keep-open-heads: held events by array position, the newest kept.
  const events = updates(3);
  const state = stateWith([events[1], events[2]], events[0]);
  const carried = carriedState(state, false);
  expect(bytes(carried)).toBeLessThanOrEqual(ROW_PAYLOAD_BYTES_LIMIT);
  expect(carried.order!.held.map((event) => event.eventId)).toContain(events[2].eventId);
  expect(carriedLastRow(carried)).toBeUndefined();
  // Small enough, it is carried.
  const small = carriedState({ ...state, order: { ...state.order!, held: [events[2]] } }, false);
  expect(carriedLastRow(small)).toEqual(image(1));
});

test('when two open heads (a gap between them) leave no room for the ticket’s last image, then both are carried in chain order and the image is left out', () => {
  // v1→v2 and v3→v4: the change v2→v3 was not reported, so either may still turn out to be the newest.
  const events = updates(4);
  const state = stateWith([events[3], events[1]], events[0]);
  const { carried, refused } = nextRunState(state, true, true);
  expect(refused).toBeUndefined();
  expect(bytes(carried)).toBeLessThanOrEqual(ROW_PAYLOAD_BYTES_LIMIT);
  expect(carried!.order!.held.map((event) => event.eventId)).toEqual([events[1].eventId, events[3].eventId]);
  expect(carriedLastRow(carried)).toBeUndefined();
  // A superseded held event (v0→v1 is followed by v1→v2) is what leaves, not an open head.
  const superseded = nextRunState(stateWith([events[3], events[0], events[1]], events[0]), true, true).carried!;
  expect(superseded.order!.held.map((event) => event.eventId)).toEqual([events[1].eventId, events[3].eventId]);
});

test('when the open heads alone do not fit one payload, then no state is carried: the run goes on and says why, naming the limit', () => {
  // Three changes with gaps between them (v0→v1, v2→v3, v4→v5): none is superseded.
  const events = updates(5);
  const heads = [events[4], events[0], events[2]];
  const { carried, refused } = nextRunState(stateWith(heads, events[0]), true, true);
  expect(carried).toBeUndefined();
  expect(refused).toContain('ROW_PAYLOAD_BYTES_LIMIT');
  for (const head of heads) expect(refused).toContain(head.eventId);
  // Before patch 12-keep-open-heads the same state was cut to fit, losing open heads.
  const old = nextRunState(stateWith(heads, events[0]), true, false).carried!;
  expect(old.order!.held.length).toBeLessThan(heads.length);
});

test('when a ticket call’s before-image is the ticket’s last image, then it is sent once and the activity puts it back', () => {
  const [first, second] = updates(2);
  const state = stateWith([first], first);
  const sent = forTicketCall(second, state);
  expect(sent.data.old).toBeNull();
  expect(bytes({ event: sent, previousRow: state.lastRow })).toBeLessThanOrEqual(ROW_PAYLOAD_BYTES_LIMIT);
  expect(withOldImage(sent, state.lastRow)).toEqual(second);
  // A gap in the chain: the before-image is another one, and the three do not fit one payload.
  const gap = forTicketCall(second, { ...state, lastRow: image(9), lastRowDigest: 'another' });
  expect(gap.data.old).toBeNull();
  expect(withOldImage(gap, image(9)).data.old).toBeNull();
});
