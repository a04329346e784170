import { connectTestTemporal, type TestTemporal } from '../helpers/temporal';
import { freshRowIds, rankedEventIds, RowLane, type RowChange } from '../helpers/row-lane';

/*
 * Histories PostgreSQL really produces, through the webhook's starter, the event and row workflows
 * and the real activities, around a FakeTarget. Event ids sort against the truth, so a tie on
 * created_at broken by event id picks the wrong change: only the images can order these.
 */

let temporal: TestTemporal;
let lane: RowLane;
beforeAll(async () => {
  temporal = await connectTestTemporal();
  lane = await new RowLane(temporal).start();
});
afterAll(async () => {
  await lane?.stop();
  await temporal?.close();
});

type Row = Record<string, unknown>;
interface Step {
  op: RowChange['op'];
  row: Row | null;
  at: string;
}

const T = (seconds: number) => `2026-11-27T10:00:0${seconds}.100000`;

/** The changes of a history, each with old = what the previous change left; ids rank against the truth. */
function changesOf(id: number, steps: Step[]): RowChange[] {
  const ids = rankedEventIds(steps.length).reverse();
  let current: Row | null = null;
  return steps.map((step, index) => {
    const old = step.op === 'INSERT' ? null : current;
    current = step.row && { id, ...step.row };
    return { op: step.op, old, new: current, at: step.at, id: ids[index] };
  });
}

/** Delivers the history twice over in the given order, all at once; returns the row's one ticket. */
async function deliverAll(changes: RowChange[], rowId: number) {
  const rows = await Promise.all(changes.map((change) => lane.deliver(change)));
  await lane.settled(rows[0]);
  const tickets = lane.ticketsOf(rowId);
  expect(tickets).toHaveLength(1);
  return tickets[0];
}

/** Forward and backward, each change twice; one row per order. */
async function everyWay(steps: Step[], expected: { title: string; closed: boolean }) {
  const [forward, backward] = freshRowIds(2);
  const there = changesOf(forward, steps);
  const back = changesOf(backward, steps).reverse();
  const results = await Promise.all([
    deliverAll([...there, ...there], forward),
    deliverAll([...back, ...back], backward),
  ]);
  for (const ticket of results) {
    expect(ticket.fields.short_description).toBe(expected.title);
    expect(Boolean(ticket.closed)).toBe(expected.closed);
  }
}

const v1 = { title: 'Disk almost full', priority: 'low' };
const v2 = { title: 'Disk full', priority: 'high' };
const v3 = { title: 'Disk replaced', priority: 'medium' };

test('when an INSERT and an UPDATE share a transaction, then the ticket shows the UPDATE', async () => {
  await everyWay(
    [
      { op: 'INSERT', row: v1, at: T(1) },
      { op: 'UPDATE', row: v2, at: T(1) },
    ],
    { title: 'Disk full', closed: false },
  );
});

test('when an UPDATE and a DELETE share a transaction, then the ticket is resolved', async () => {
  await everyWay(
    [
      { op: 'INSERT', row: v1, at: T(1) },
      { op: 'UPDATE', row: v2, at: T(2) },
      { op: 'DELETE', row: null, at: T(2) },
    ],
    { title: 'Disk full', closed: true },
  );
});

test('when a transaction began first but wrote last, then the ticket shows its change', async () => {
  await everyWay(
    [
      { op: 'INSERT', row: v1, at: T(1) },
      { op: 'UPDATE', row: v2, at: T(3) },
      { op: 'UPDATE', row: v3, at: T(2) },
    ],
    { title: 'Disk replaced', closed: false },
  );
});

test('when a row is deleted and its key inserted again in one transaction, then the ticket is open with the new row', async () => {
  await everyWay(
    [
      { op: 'INSERT', row: v1, at: T(1) },
      { op: 'DELETE', row: null, at: T(2) },
      { op: 'INSERT', row: v3, at: T(2) },
    ],
    { title: 'Disk replaced', closed: false },
  );
});

test('when the chain has a gap, then created_at places the pieces', async () => {
  const [rowId] = freshRowIds(1);
  const [insert, update, , last] = changesOf(rowId, [
    { op: 'INSERT', row: v1, at: T(1) },
    { op: 'UPDATE', row: v2, at: T(2) },
    { op: 'UPDATE', row: { ...v2, priority: 'low' }, at: T(3) },
    { op: 'UPDATE', row: v3, at: T(4) },
  ]);
  const ticket = await deliverAll([last, update, insert, last, insert], rowId);
  expect(ticket.fields.short_description).toBe('Disk replaced');
});

test('when created_at carries zone offsets, then they are converted, not stripped', async () => {
  const [rowId] = freshRowIds(1);
  // Images give no order across the gap: 12:00:01+02:00 is 10:00:01 UTC, before 10:00:02.
  const [insert, , update] = changesOf(rowId, [
    { op: 'INSERT', row: v1, at: '2026-11-27T12:00:01.100000+02:00' },
    { op: 'UPDATE', row: v2, at: T(1) },
    { op: 'UPDATE', row: v3, at: T(2) },
  ]);
  const ticket = await deliverAll([update, insert], rowId);
  expect(ticket.fields.short_description).toBe('Disk replaced');
});

test('when 50 updates of one row in one transaction arrive shuffled and twice, then the ticket shows the last', async () => {
  const [rowId] = freshRowIds(1);
  const steps: Step[] = [{ op: 'INSERT', row: { title: 'version 0' }, at: T(1) }];
  for (let n = 1; n <= 50; n += 1) steps.push({ op: 'UPDATE', row: { title: `version ${n}` }, at: T(1) });
  const changes = changesOf(rowId, steps);
  const shuffled = [...changes, ...changes].sort(() => Math.random() - 0.5);
  const ticket = await deliverAll(shuffled, rowId);
  expect(ticket.fields.short_description).toBe('version 50');
});

test('when the newer change of one transaction is applied before the older arrives, then the older is stale', async () => {
  const [rowId] = freshRowIds(1);
  const [insert, update] = changesOf(rowId, [
    { op: 'INSERT', row: v1, at: T(1) },
    { op: 'UPDATE', row: v2, at: T(1) },
  ]);
  await lane.settled(await lane.deliver(update));
  const ticket = await deliverAll([insert], rowId);
  expect(ticket.fields.short_description).toBe('Disk full');
});
