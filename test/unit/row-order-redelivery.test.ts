import type { HasuraOp, Row, RowEvent } from '../../src/contract';
import { toRowEvent } from '../../src/mapping/row-images';
import { nextRunState } from '../../src/workflows/row-carry';
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

test('when an INSERT evicted from the 200-link window is redelivered after the key was deleted again, then it is not applied', () => {
  const order = new RowOrder(undefined);
  const first = change('INSERT', { id: 7, title: 'first life', n: 0 });
  deliver(order, first);
  for (let n = 1; n <= 250; n += 1) deliver(order, change('UPDATE', { id: 7, title: 'first life', n }));
  deliver(order, change('DELETE', null));
  deliver(order, change('INSERT', { id: 7, title: 'second life', n: 0 }));
  for (let n = 1; n <= 3; n += 1) deliver(order, change('UPDATE', { id: 7, title: 'second life', n }));
  const lastDelete = change('DELETE', null);
  deliver(order, lastDelete);
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
