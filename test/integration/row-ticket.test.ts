import { abandonSignal, retryUpdate, statusQuery } from '../../src/contract';
import { TicketValidationError } from '../../src/ticketing/errors';
import { afterCall, timedOut } from '../helpers/fake-target';
import { eventually } from '../helpers/stack';
import { freshRowIds, LIFECYCLE_TRIGGER, RowLane } from '../helpers/row-lane';
import { connectTestTemporal, type TestTemporal } from '../helpers/temporal';
import { rowTicketKey } from '../helpers/correlation';

/*
 * Which ticket a row workflow writes to: the one it knows, the right one among several, and the one
 * it keeps after a retried create. The FakeTarget scripts a lagging search, lost create answers and
 * failing updates.
 */

let temporal: TestTemporal;
let lane: RowLane;
beforeAll(async () => {
  temporal = await connectTestTemporal();
  // Past the late commit (lateCommitMs below), as DUPLICATE_CHECK_DELAY is past ServiceNow's transaction limit.
  lane = await new RowLane(temporal, { policy: { duplicateCheckDelayMs: 3_000 } }).start();
});
afterEach(() => {
  Object.assign(lane.target, {
    searchLagMs: 0,
    lostAnswers: 0,
    lateCommitMs: 0,
    updateFailures: [],
    createFailures: [],
  });
});
afterAll(async () => {
  await lane?.stop();
  await temporal?.close();
});

const v1 = { title: 'Disk almost full', priority: 'low' };
const v2 = { title: 'Disk almost full', priority: 'high' };
const v3 = { title: 'Disk full', priority: 'high' };
const T = (seconds: number) => `2026-11-27T10:00:0${seconds}.100000`;

function seed(rowId: number, tickets: { closed: boolean; state: string }[]) {
  tickets.forEach(({ closed, state }, index) =>
    lane.target.tickets.push({
      id: `seeded-${rowId}-${index}`,
      number: `SEED${rowId}-${index}`,
      correlationId: rowTicketKey(LIFECYCLE_TRIGGER, 'public.incident_request', rowId),
      createdAt: new Date(Date.now() - 60_000 + index * 1_000).toISOString(),
      closed,
      fields: { state },
    }),
  );
}

test('when an UPDATE follows seconds after the INSERT and the search does not see the ticket yet, then the known ticket is updated', async () => {
  lane.target.searchLagMs = 60_000;
  const [id] = freshRowIds(1);
  await lane.settled(await lane.deliver({ op: 'INSERT', new: { id, ...v1 }, at: T(1) }));
  await lane.settled(await lane.deliver({ op: 'UPDATE', old: { id, ...v1 }, new: { id, ...v3 }, at: T(2) }));
  const tickets = lane.ticketsOf(id);
  expect(tickets).toHaveLength(1);
  expect(tickets[0].fields).toMatchObject({ short_description: 'Disk full', urgency: '1' });
});

test('when a row workflow that knows no ticket finds several, then it keeps the oldest open one', async () => {
  const [id] = freshRowIds(1);
  seed(id, [
    { closed: false, state: 'open' },
    { closed: true, state: 'cancelled' },
  ]);
  await lane.settled(await lane.deliver({ op: 'UPDATE', old: { id, ...v1 }, new: { id, ...v3 }, at: T(2) }));
  const [kept, cancelled] = lane.ticketsOf(id);
  expect(kept.fields).toMatchObject({ state: 'open', short_description: 'Disk full' });
  expect(cancelled.fields).toEqual({ state: 'cancelled' });
});

test('when every ticket of the row is closed, then the oldest is reopened, never a cancelled duplicate', async () => {
  const [id] = freshRowIds(1);
  seed(id, [
    { closed: true, state: 'resolved' },
    { closed: true, state: 'cancelled' },
  ]);
  await lane.settled(await lane.deliver({ op: 'UPDATE', old: { id, ...v1 }, new: { id, ...v3 }, at: T(2) }));
  const [original, cancelled] = lane.ticketsOf(id);
  expect(original.fields).toMatchObject({ state: 'open', short_description: 'Disk full' });
  expect(cancelled.fields).toEqual({ state: 'cancelled' });
});

test('when a DELETE arrives first and its create is retried, then the late duplicate is cancelled', async () => {
  Object.assign(lane.target, { lostAnswers: 1, lateCommitMs: 2_000 });
  const [id] = freshRowIds(1);
  const row = await lane.deliver({ op: 'DELETE', old: { id, ...v3 }, at: T(3) });
  await eventually(() => lane.ticketsOf(id).every((t) => t.closed) || undefined, {
    what: 'every ticket of the row closed',
    timeoutMs: 15_000,
  });
  await lane.settled(row);
  const states = lane.ticketsOf(id).map((t) => t.fields.state);
  expect(states.sort()).toEqual(['cancelled', 'resolved']);
});

test('when on_closed is create-new and the new ticket’s create is retried, then the new ticket stays and only its duplicate is cancelled', async () => {
  const trigger = 'lifecycle_create_new';
  const [id] = freshRowIds(1);
  await lane.settled(await lane.deliver({ trigger, op: 'INSERT', new: { id, ...v1 }, at: T(1) }));
  const [first] = lane.ticketsOf(id, trigger);
  Object.assign(first, { closed: true });
  first.fields.state = 'closed by a human';
  Object.assign(lane.target, { lostAnswers: 1, lateCommitMs: 2_000 });
  const row = await lane.deliver({ trigger, op: 'UPDATE', old: { id, ...v1 }, new: { id, ...v3 }, at: T(2) });
  await eventually(() => lane.ticketsOf(id, trigger).some((t) => t.fields.state === 'cancelled') || undefined, {
    what: 'the late duplicate cancelled',
    timeoutMs: 15_000,
  });
  await lane.settled(row);
  const [, late, legitimate] = lane.ticketsOf(id, trigger);
  expect(late.fields.state).toBe('cancelled');
  expect(legitimate.closed).toBeFalsy();
  expect(legitimate.fields.short_description).toBe('Disk full');
  const status = await temporal.client.workflow.getHandle(row).query(statusQuery);
  expect(status.ticket?.number).toBe(legitimate.number);
});

test('when an operator retries a row create that parked after a possible write, then the late duplicate is cancelled', async () => {
  // Attempt 1's create is stored but answered with a timeout and stays invisible until the operator's create
  // is answered; attempt 2 finds nothing, is refused for good and parks.
  const creates = lane.target.calls.filter((call) => call === 'create').length;
  const stalled = { answer: timedOut(), commitWhen: afterCall('create', creates + 3) };
  lane.target.createFailures = [stalled, new TicketValidationError('Invalid assignment group', { status: 400 })];
  const [id] = freshRowIds(1);
  const row = await lane.deliver({ op: 'INSERT', new: { id, ...v1 }, at: T(1) });
  const handle = temporal.client.workflow.getHandle(row);
  const parkedNow = async () => (await handle.query(statusQuery)).state === 'waiting-for-operator' || undefined;
  await eventually(parkedNow, { what: 'the create parked', timeoutMs: 45_000 });
  expect(await handle.executeUpdate(retryUpdate, { args: [{}] })).toMatchObject({ decision: 'retry' });
  await eventually(() => lane.ticketsOf(id).some((t) => t.fields.state === 'cancelled') || undefined, {
    what: 'the late duplicate cancelled',
    timeoutMs: 15_000,
  });
  await lane.settled(row);
  const [late, created] = lane.ticketsOf(id);
  expect(late.fields.state).toBe('cancelled');
  expect(created.closed).toBeFalsy();
  expect((await handle.query(statusQuery)).ticket?.number).toBe(created.number);
});

test('when on_closed is create-new and an operator retries the new ticket’s create, then the new ticket stays, the old closed one is untouched and the late duplicate is cancelled', async () => {
  const trigger = 'lifecycle_create_new';
  const [id] = freshRowIds(1);
  const row = await lane.deliver({ trigger, op: 'INSERT', new: { id, ...v1 }, at: T(1) });
  await lane.settled(row);
  const [first] = lane.ticketsOf(id, trigger);
  Object.assign(first, { closed: true });
  first.fields.state = 'closed by a human';
  const creates = lane.target.calls.filter((call) => call === 'create').length;
  const stalled = { answer: timedOut(), commitWhen: afterCall('create', creates + 3) };
  lane.target.createFailures = [stalled, new TicketValidationError('Invalid assignment group', { status: 400 })];
  await lane.deliver({ trigger, op: 'UPDATE', old: { id, ...v1 }, new: { id, ...v3 }, at: T(2) });
  const handle = temporal.client.workflow.getHandle(row);
  const parkedNow = async () => (await handle.query(statusQuery)).state === 'waiting-for-operator' || undefined;
  await eventually(parkedNow, { what: 'the create parked', timeoutMs: 45_000 });
  await handle.executeUpdate(retryUpdate, { args: [{}] });
  await eventually(() => lane.ticketsOf(id, trigger).some((t) => t.fields.state === 'cancelled') || undefined, {
    what: 'the late duplicate cancelled',
    timeoutMs: 15_000,
  });
  await lane.settled(row);
  const [old, late, created] = lane.ticketsOf(id, trigger);
  expect(old.fields.state).toBe('closed by a human');
  expect(late.fields.state).toBe('cancelled');
  expect(created.closed).toBeFalsy();
  expect(created.fields.short_description).toBe('Disk full');
  expect((await handle.query(statusQuery)).ticket?.number).toBe(created.number);
});

test('when an operator abandons an update, then the next update is measured against what the ticket received', async () => {
  const [id] = freshRowIds(1);
  const row = await lane.deliver({ op: 'INSERT', new: { id, ...v1 }, at: T(1) });
  await lane.settled(row);
  lane.target.updateFailures = [new TicketValidationError('Invalid urgency', { status: 400 })];
  await lane.deliver({ op: 'UPDATE', old: { id, ...v1 }, new: { id, ...v2 }, at: T(2) });
  const handle = temporal.client.workflow.getHandle(row);
  await eventually(
    async () => ((await handle.query(statusQuery)).state === 'waiting-for-operator' ? true : undefined),
    {
      what: 'the update parked',
    },
  );
  await handle.signal(abandonSignal, { reason: 'test' });
  await lane.settled(row);
  await lane.settled(await lane.deliver({ op: 'UPDATE', old: { id, ...v2 }, new: { id, ...v3 }, at: T(3) }));
  // The abandoned change (priority low → high) never reached the ticket: the next update carries it.
  expect(lane.ticketsOf(id)[0].fields).toMatchObject({ short_description: 'Disk full', urgency: '1' });
});
