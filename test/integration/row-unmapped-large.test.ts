import { ROW_IMAGE_BYTES_LIMIT } from '../../src/contract';
import { eventually } from '../helpers/stack';
import { freshRowIds, RowLane } from '../helpers/row-lane';
import { connectTestTemporal, type TestTemporal } from '../helpers/temporal';

/*
 * A row image over ROW_IMAGE_BYTES_LIMIT because of a column no template names (test/fixtures/lifecycle.yaml maps
 * title, description, priority): the ticket needs only the mapped columns and the key, and the ordering only the
 * images' digests, so such a row's changes reach its ticket, its DELETE resolves it.
 */

let temporal: TestTemporal;
let lane: RowLane;
beforeAll(async () => {
  temporal = await connectTestTemporal();
  lane = await new RowLane(temporal, { policy: { rowIdleMs: 1_000, attemptTimeoutMs: 10_000 } }).start();
}, 180_000);
afterAll(async () => {
  await lane?.stop();
  await temporal?.close();
});

const T = (seconds: number) => `2026-12-03T09:00:0${seconds}.100000`;
// Unmapped, and over the limit on its own.
const huge = (fill: string) => fill.repeat(ROW_IMAGE_BYTES_LIMIT + 1024);

const ticketState = (id: number) => lane.ticketsOf(id)[0]?.fields;

test('when a row whose unmapped column is larger than a row run can carry is deleted, then its ticket is resolved', async () => {
  const [id] = freshRowIds(1);
  const small = { id, title: 'small', priority: 'low' };
  const row = await lane.deliver({ op: 'INSERT', new: small, at: T(1) });
  await lane.settled(row);
  // The blob was written while the trigger listened to other columns: the DELETE's old image carries it.
  await lane.send({ op: 'DELETE', old: { ...small, blob: huge('x') }, at: T(2) });
  await eventually(() => (ticketState(id)?.state === 'resolved' ? true : undefined), {
    what: 'the ticket resolved by the DELETE',
    timeoutMs: 60_000,
  });
  expect(lane.ticketsOf(id)).toHaveLength(1);
}, 120_000);

test('when a row with an unmapped column larger than a row run can carry is inserted and updated, then its ticket follows the mapped columns', async () => {
  const [id] = freshRowIds(1);
  const v1 = { id, title: 'v1', priority: 'low', blob: huge('a') };
  const v2 = { id, title: 'v2', priority: 'high', blob: huge('b') };
  await lane.send({ op: 'INSERT', new: v1, at: T(1) });
  await lane.send({ op: 'UPDATE', old: v1, new: v2, at: T(2) });
  await eventually(() => (ticketState(id)?.short_description === 'v2' ? true : undefined), {
    what: 'the ticket at the row’s update',
    timeoutMs: 60_000,
  });
  expect(lane.ticketsOf(id)).toHaveLength(1);
  expect(ticketState(id)?.urgency).toBe('1');
}, 120_000);
