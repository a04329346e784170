import type { RowEvent, RowState } from '../../src/contract';
import { nextRunState } from '../../src/workflows/row-carry';
import { RowOrder } from '../../src/workflows/row-order';
import { deliverBatch, deliverOneByOne, RowHistory, stampAt } from '../helpers/row-history';

/*
 * Review s8 of the row order: the life edge ("an INSERT follows every DELETE whose life began with another known
 * INSERT") joined lives that had both ended into a cycle, and a DELETE after a gap (a change the trigger did not
 * report) ended no life: with in-order deliveries the ticket could stay on an old life, or stop following the row.
 */

test('when a fourth life’s INSERT arrives one batch after its first UPDATEs, then the ticket follows that life', () => {
  const history = new RowHistory('0000000a');
  const next = history.next.bind(history);
  const order = new RowOrder(undefined);
  deliverBatch(order, [next('INSERT', { id: 1, life: 0 })]);
  deliverBatch(order, [next('DELETE', null)]);
  for (const life of [1, 2]) {
    deliverBatch(order, [next('INSERT', { id: 1, life, n: 0 })]);
    for (let n = 1; n <= 97; n += 1) deliverBatch(order, [next('UPDATE', { id: 1, life, n })]);
    deliverBatch(order, [next('DELETE', null)]);
  }
  const insert = next('INSERT', { id: 1, life: 3, n: 0 });
  deliverBatch(order, [next('UPDATE', { id: 1, life: 3, n: 1 }), next('UPDATE', { id: 1, life: 3, n: 2 })]);
  deliverBatch(order, [insert]);
  let last = insert;
  for (let n = 3; n < 40; n += 1) deliverBatch(order, [(last = next('UPDATE', { id: 1, life: 3, n }))]);
  expect(order.applied?.id).toBe(last.eventId);
});

test('when a middle life has a gap and the row is deleted in the end, then in-order deliveries leave it deleted', () => {
  const history = new RowHistory('0000000b');
  const events = [
    history.change('INSERT', { id: 1, life: 1 }, stampAt(1)),
    history.change('DELETE', null, stampAt(2)),
    history.change('INSERT', { id: 1, life: 2, n: 0 }, stampAt(3)),
    history.change('UPDATE', { id: 1, life: 2, n: 1 }, stampAt(4)),
  ];
  history.change('UPDATE', { id: 1, life: 2, n: 2 }, stampAt(5)); // not reported: the trigger listens to other columns
  events.push(
    history.change('UPDATE', { id: 1, life: 2, n: 3 }, stampAt(6)),
    history.change('DELETE', null, stampAt(7)),
    history.change('INSERT', { id: 1, life: 3 }, stampAt(8)),
    history.change('DELETE', null, stampAt(9)),
  );
  const oneByOne = deliverOneByOne(events);
  expect(oneByOne.applied?.id).toBe(events.at(-1)!.eventId);
  const together = new RowOrder(undefined);
  deliverBatch(together, events);
  expect(together.applied?.id).toBe(events.at(-1)!.eventId);
});

// Review s8b HIGH-1: the re-INSERT's transaction began before the previous life's last UPDATE, whose DELETE arrives late.
test('when a life’s DELETE arrives after the next life’s, then the row’s last DELETE is still applied', () => {
  const history = new RowHistory('0000000c');
  const insert = history.change('INSERT', { id: 1, life: 1 }, stampAt(0));
  const update = history.change('UPDATE', { id: 1, life: 1, n: 1 }, stampAt(5));
  const lateDelete = history.change('DELETE', null, stampAt(6));
  const again = history.change('INSERT', { id: 1, life: 2 }, stampAt(3)); // began at 3, wrote after the DELETE
  const last = history.change('DELETE', null, stampAt(8));
  const order = deliverOneByOne([insert, update, again, last, lateDelete]);
  expect(order.applied?.id).toBe(last.eventId);
});

// Review s8b HIGH-2: a gap after the first INSERT left that life open; once its DELETE was forgotten, it came back.
test('when a gap follows the first INSERT and 150 lives follow, then in-order deliveries never go back to it', () => {
  const history = new RowHistory('0000000d');
  const next = history.next.bind(history);
  const events = [next('INSERT', { id: 1, life: 1, status: 'new' })];
  next('UPDATE', { id: 1, life: 1, status: 'new', notes: 'x' }); // not reported: the trigger listens to `status`
  events.push(next('UPDATE', { id: 1, life: 1, status: 'open', notes: 'x' }), next('DELETE', null));
  for (let life = 2; life < 152; life += 1)
    events.push(next('INSERT', { id: 1, life, n: 0 }), next('UPDATE', { id: 1, life, n: 1 }), next('DELETE', null));
  const order = new RowOrder(undefined);
  const backToFirst = events.filter((event, index) => {
    deliverBatch(order, [event]);
    return index > 0 && order.applied?.id === events[0].eventId;
  });
  expect(backToFirst).toEqual([]);
  expect(order.applied?.id).toBe(events.at(-1)!.eventId);
});

// Review s8b 3: an UPDATE of a column the trigger does not list, inside one transaction: equal stamps around the gap.
test('when a gap falls inside one transaction and the row is deleted later, then the ticket ends resolved', () => {
  const history = new RowHistory('0000000e');
  const events = [
    history.change('INSERT', { id: 1, life: 1 }, stampAt(1)),
    history.change('UPDATE', { id: 1, life: 1, status: 'a' }, stampAt(2)),
  ];
  history.change('UPDATE', { id: 1, life: 1, status: 'a', notes: 'x' }, stampAt(2)); // not reported
  events.push(
    history.change('UPDATE', { id: 1, life: 1, status: 'b', notes: 'x' }, stampAt(2)),
    history.change('DELETE', null, stampAt(3)),
    history.change('INSERT', { id: 1, life: 2 }, stampAt(4)),
    history.change('DELETE', null, stampAt(5)),
  );
  const order = deliverOneByOne(events);
  expect(order.applied?.id).toBe(events.at(-1)!.eventId);
});

/** mulberry32: the same pseudo-random sequence for a seed on every machine. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A row's life as a busy table makes it: multi-change transactions, some that began first and wrote last. */
function rowHistory(next: () => number, seed: number): RowEvent[] {
  const history = new RowHistory(String(seed).padStart(8, '0'));
  const events: RowEvent[] = [];
  let [clock, began, life, n, alive] = [0, 0, 0, 0, false];
  while (events.length < 150 + Math.floor(next() * 450)) {
    clock += 1 + Math.floor(next() * 2_000);
    began = next() < 0.05 ? began - 1 - Math.floor(next() * 50) : clock; // began first, wrote last
    const changes = next() < 0.15 ? 2 + Math.floor(next() * 3) : 1;
    for (let c = 0; c < changes; c += 1, n += 1) {
      const at = stampAt(began / 1_000);
      if (!alive) events.push(history.change('INSERT', { id: 1, life: (life += 1), n }, at));
      else if (next() < 0.03) events.push(history.change('DELETE', null, at));
      else events.push(history.change('UPDATE', { id: 1, life, n }, at));
      alive = events.at(-1)!.op !== 'DELETE';
    }
  }
  return events;
}

/**
 * Deliveries a few places out of order, 3 % of them up to 400 places late (a Hasura retry), some twice, in batches
 * of 1–12; the state carried every 37 batches.
 */
function play(events: RowEvent[], next: () => number): string | undefined {
  const deliveries = events.flatMap((event, index) => {
    const at = index + next() * (next() < 0.03 ? 400 : 8);
    return next() < 0.1
      ? [
          { at, event },
          { at: at + next() * 100, event },
        ]
      : [{ at, event }];
  });
  deliveries.sort((a, b) => a.at - b.at);
  let order = new RowOrder(undefined);
  for (let start = 0, batch = 1; start < deliveries.length; batch += 1) {
    const size = 1 + Math.floor(next() * 12);
    deliverBatch(
      order,
      deliveries.slice(start, (start += size)).map((delivery) => delivery.event),
    );
    if (batch % 37 > 0) continue;
    const state: RowState = { seen: [], pending: [], applied: 0, skipped: 0, order: order.state };
    order = new RowOrder(JSON.parse(JSON.stringify(nextRunState(state, true, true).carried)) as RowState);
  }
  return order.applied?.id;
}

test('when 200 rows are deleted and inserted again, delivered out of order and twice, then each ticket ends as its row', () => {
  const wrong: number[] = [];
  for (let seed = 1; seed <= 200; seed += 1) {
    const events = rowHistory(random(seed), seed);
    if (play(events, random(seed * 7)) !== events.at(-1)!.eventId) wrong.push(seed);
  }
  expect(wrong).toEqual([]);
});
