import {
  ROW_IMAGE_BYTES_LIMIT,
  ROW_PAYLOAD_BYTES_LIMIT,
  type Row,
  type RowEvent,
  type RowState,
} from '../../src/contract';
import { toRowEvent, withOldImage } from '../../src/mapping/row-images';
import { carriedLastRow, carriedState, forTicketCall } from '../../src/workflows/row-carry';
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
  const events = updates(3);
  const state = stateWith([events[1], events[2]], events[0]);
  const carried = carriedState(state);
  expect(bytes(carried)).toBeLessThanOrEqual(ROW_PAYLOAD_BYTES_LIMIT);
  expect(carried.order!.held.map((event) => event.eventId)).toContain(events[2].eventId);
  expect(carriedLastRow(carried)).toBeUndefined();
  // Small enough, it is carried.
  const small = carriedState({ ...state, order: { ...state.order!, held: [events[2]] } });
  expect(carriedLastRow(small)).toEqual(image(1));
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
