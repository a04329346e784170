import type { HasuraOp, Row, RowEvent, RowState } from '../../src/contract';
import { toRowEvent } from '../../src/mapping/row-images';
import { carriedState, nextRunState } from '../../src/workflows/row-carry';
import { RowOrder } from '../../src/workflows/row-order';

/*
 * Review s7 finding 1: with direct delivery RowOrder.add is the only redelivery check, and its links
 * keep the newest 200 changes: a redelivered change older than that must still be known as delivered.
 */

let serial = 0;
let current: Row | null = null;

/** The next change of one row, created one second after the previous one. */
function change(op: HasuraOp, row: Row | null): RowEvent {
  serial += 1;
  const old = op === 'INSERT' ? null : current;
  current = row;
  const eventId = `00000000-0000-4000-8000-${String(serial).padStart(12, '0')}`;
  const createdAt = new Date(Date.UTC(2026, 0, 1) + serial * 1000).toISOString();
  const table = { schema: 'public', name: 'incident_request' };
  const data = { old, new: row };
  return toRowEvent({ eventId, trigger: 'tr', table, op, createdAt, data, sessionVariables: null });
}

/** One delivery per batch, each decided and applied as a row run does. */
function deliver(order: RowOrder, event: RowEvent): void {
  order.add(event);
  const next = order.decide();
  if (next) order.consumed(next);
}

/** A life of `updates` UPDATEs after its INSERT, then its DELETE, each delivered alone. */
function deliverLife(order: RowOrder, row: Row, updates: number): { first: RowEvent; deleted: RowEvent } {
  const first = change('INSERT', { ...row, n: 0 });
  deliver(order, first);
  for (let n = 1; n <= updates; n += 1) deliver(order, change('UPDATE', { ...row, n }));
  const deleted = change('DELETE', null);
  deliver(order, deleted);
  return { first, deleted };
}

test('when an INSERT evicted from the 200-link window is redelivered after the key was deleted again, then it is not applied', () => {
  const order = new RowOrder(undefined);
  const { first } = deliverLife(order, { id: 7, title: 'first life' }, 250);
  const lastDelete = deliverLife(order, { id: 7, title: 'second life' }, 3).deleted;
  expect(order.applied?.id).toBe(lastDelete.eventId);

  expect(order.add(first)).toBe(false);
  expect(order.decide()).toBeUndefined();
  expect(order.settled().map((event) => event.eventId)).not.toContain(first.eventId);
});

test('when three evicted 700 KiB UPDATEs are redelivered, then they are not held and the run can still carry its state', () => {
  const order = new RowOrder(undefined);
  deliver(order, change('INSERT', { id: 8, n: 0 }));
  const large: RowEvent[] = [];
  for (let n = 1; n <= 400; n += 1) {
    // Each large one between small ones: redelivered, it has no remembered neighbour, so nothing supersedes it.
    const notes = n % 10 === 0 && n <= 30 ? 'x'.repeat(700 * 1024) : '';
    const event = change('UPDATE', { id: 8, n, notes });
    if (notes) large.push(event);
    deliver(order, event);
  }

  for (const event of large) expect(order.add(event)).toBe(false);
  expect(order.decide()).toBeUndefined();
  const state = { seen: [], pending: [], applied: 401, skipped: 0, order: order.state };
  expect(nextRunState(state, true, true).refused).toBeUndefined();
});

test('when the remembered ids would push open heads that fit without them over the limit, then the oldest ids give way', () => {
  const order = new RowOrder(undefined);
  deliver(order, change('INSERT', { id: 9, n: 0 }));
  for (let n = 1; n <= 4_400; n += 1) deliver(order, change('UPDATE', { id: 9, n }));
  expect(order.state.forgotten?.length).toBeGreaterThan(4_000);
  // Three changes whose before-image matches no remembered one (a gap): open heads the run must carry.
  const gap = (notes: string) => {
    current = { id: 9, n: -1, notes: 'gap' };
    return change('UPDATE', { id: 9, n: -2, notes });
  };
  for (const size of [760 * 1024, 760 * 1024, 100 * 1024]) order.add(gap('y'.repeat(size)));
  const state = { seen: [], pending: [], applied: 4_401, skipped: 0, order: order.state };
  const withoutIds = { ...state, order: { ...order.state, forgotten: [] } };
  expect(nextRunState(withoutIds, true, true).refused).toBeUndefined(); // they fit on their own
  const next = nextRunState(state, true, true);
  expect(next.refused).toBeUndefined();
  const kept = next.carried?.order?.forgotten ?? [];
  // Only as many as needed give way, the oldest: the newest ids stay.
  const all = carriedState(state).order?.forgotten ?? [];
  expect(kept.length).toBeGreaterThan(all.length / 2);
  expect(kept.length).toBeLessThan(all.length);
  expect(all.slice(-kept.length)).toEqual(kept);
});

/*
 * Review s7b: past the 4096 remembered ids a redelivered first INSERT was placed after the key's last DELETE by the
 * life edge ("an INSERT follows every DELETE whose life began with another INSERT") and applied: the ticket of a
 * deleted row reopened. An unknown INSERT stamped at or before a forgotten change is now taken for a redelivery.
 */
test('when an INSERT older than every remembered id is redelivered after the key was deleted, re-inserted and deleted, then it is not applied', () => {
  const order = new RowOrder(undefined);
  const { first } = deliverLife(order, { id: 10, title: 'first life' }, 4_300);
  const lastDelete = deliverLife(order, { id: 10, title: 'second life' }, 0).deleted;
  expect(order.state.forgotten).not.toContain(first.eventId); // past the remembered ids: placed as a change

  // The next run (continued as new, or resumed after idle) knows it as well as this one.
  const state = { seen: [], pending: [], applied: 4_303, skipped: 0, order: order.state };
  const next = new RowOrder(JSON.parse(JSON.stringify(nextRunState(state, true, true).carried)) as RowState);
  for (const run of [order, next]) {
    expect(run.add(first)).toBe(false);
    expect(run.decide()).toBeUndefined();
    expect(run.applied?.id).toBe(lastDelete.eventId);
    expect(run.settled().map((event) => event.eventId)).not.toContain(first.eventId);
  }
});

test('when a new INSERT follows hundreds of forgotten changes and a DELETE, then it is applied (the floor is no horizon)', () => {
  const order = new RowOrder(undefined);
  deliverLife(order, { id: 11 }, 500);
  expect(order.state.forgottenFloor).toBeDefined();
  const again = change('INSERT', { id: 11, n: 0, life: 2 });
  deliver(order, again);
  expect(order.applied?.id).toBe(again.eventId);
});

test('when a run from before issue 12 is resumed, then a redelivery of an event its legacy state had seen is dropped', () => {
  const applied = change('INSERT', { id: 12, n: 0 });
  const seenBefore = change('UPDATE', { id: 12, n: 1 });
  const legacy: RowState = {
    ...{ seen: [seenBefore.eventId, applied.eventId], pending: [], applied: 2, skipped: 0 },
    lastApplied: { createdAt: applied.createdAt, eventId: applied.eventId, op: 'INSERT' },
  };
  expect(new RowOrder(legacy).add(seenBefore)).toBe(false);
});

test('when a run from before issue 12 is resumed with pending events it had seen, then they are still applied', () => {
  const applied = change('INSERT', { id: 13, n: 0 });
  const waiting = change('UPDATE', { id: 13, n: 1 });
  const legacy: RowState = {
    ...{ seen: [applied.eventId, waiting.eventId], pending: [waiting], applied: 1, skipped: 0 },
    lastApplied: { createdAt: applied.createdAt, eventId: applied.eventId, op: 'INSERT' },
  };
  expect(new RowOrder(legacy).decide()?.eventId).toBe(waiting.eventId);
});

test('when one transaction changes a row hundreds of times, deletes it and inserts it again, then the re-INSERT is applied', () => {
  const order = new RowOrder(undefined);
  const inTransaction = (event: RowEvent): RowEvent => ({ ...event, createdAt: '2026-06-01T00:00:00.000Z' });
  deliver(order, inTransaction(change('INSERT', { id: 14, n: 0 })));
  for (let n = 1; n <= 300; n += 1) deliver(order, inTransaction(change('UPDATE', { id: 14, n })));
  deliver(order, inTransaction(change('DELETE', null)));
  const again = inTransaction(change('INSERT', { id: 14, n: 0, life: 2 }));
  deliver(order, again);
  expect(order.applied?.id).toBe(again.eventId);
});

test('when a state carried from a run before the floor is resumed, then a redelivered old INSERT is dropped all the same', () => {
  const before = { keepOpenHeads: true, rememberForgotten: true, livesAndFloor: false };
  const order = new RowOrder(undefined, before);
  const { first } = deliverLife(order, { id: 15 }, 4_300);
  const state = { seen: [], pending: [], applied: 4_302, skipped: 0, order: order.state };
  const carried = JSON.parse(JSON.stringify(nextRunState(state, true, true, false).carried)) as RowState;
  expect(carried.order?.forgottenFloor).toBeUndefined();
  const next = new RowOrder(carried);
  expect(next.add(first)).toBe(false);
});
