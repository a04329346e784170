import { randomUUID } from 'node:crypto';
import { ROW_STATE_MEMO, ROW_WORKFLOW_TYPE, rowEventSignal, type RowOutcome } from '../../src/contract';
import { toRowEvent } from '../../src/mapping/row-images';
import { eventually } from '../helpers/stack';
import { freshRowIds, LIFECYCLE_TRIGGER, useRowLane } from '../helpers/row-lane';
import { rowTicketKey } from '../helpers/correlation';

/* Bounded cost: a row's workflow finishes when idle, and the next event's run carries on from it. */

// ROW_IDLE 1s (an attempt timeout of 1s lets it be that short).
const suite = useRowLane({ policy: { rowIdleMs: 1_000, attemptTimeoutMs: 1_000 } });

const v0 = { title: 'Disk almost full', priority: 'low' };
const v1 = { title: 'Disk full', priority: 'low' };
const v2 = { title: 'Disk full', priority: 'high' };
const v3 = { title: 'Disk replaced', priority: 'high' };
const T = (seconds: number) => `2026-11-27T10:00:0${seconds}.100000`;

const outcomeOf = (workflowId: string): Promise<RowOutcome> =>
  suite.temporal.client.workflow.getHandle(workflowId).result();

test('when a row stays idle, then its workflow finishes, and the next run resumes its ticket and ordering floor', async () => {
  const [id] = freshRowIds(1);
  const row = await suite.lane.deliver({ op: 'INSERT', new: { id, ...v0 }, at: T(1) });
  await suite.lane.deliver({ op: 'UPDATE', old: { id, ...v1 }, new: { id, ...v2 }, at: T(3) });
  await suite.lane.settled(row);
  expect(await outcomeOf(row)).toMatchObject({ status: 'idle' });
  const described = await suite.temporal.client.workflow.getHandle(row).describe();
  expect(described.status.name).toBe('COMPLETED');
  expect(described.memo?.[ROW_STATE_MEMO]).toMatchObject({ ticket: { number: suite.lane.ticketsOf(id)[0].number } });

  const callsBefore = suite.lane.target.calls.length;
  // The change between them arrives late, after the run finished: stale, whatever its new run knows.
  await suite.lane.deliver({ op: 'UPDATE', old: { id, ...v0 }, new: { id, ...v1 }, at: T(2) });
  await suite.lane.settled(row);
  expect(suite.lane.ticketsOf(id)[0].fields).toMatchObject({ short_description: 'Disk full', urgency: '1' });
  expect(suite.lane.target.calls.slice(callsBefore)).toEqual([]);

  await suite.lane.deliver({ op: 'UPDATE', old: { id, ...v2 }, new: { id, ...v3 }, at: T(4) });
  await suite.lane.settled(row);
  expect(suite.lane.ticketsOf(id)).toHaveLength(1);
  expect(suite.lane.ticketsOf(id)[0].fields.short_description).toBe('Disk replaced');
  // The resumed run knew its ticket: read by id, never searched.
  expect(suite.lane.target.calls.slice(callsBefore)).toEqual(['get', 'update']);
  expect(await outcomeOf(row)).toMatchObject({ status: 'idle' });
});

test('when the worker’s lifecycle rules differ from those a run was started with, then the worker’s rules apply', async () => {
  const [id] = freshRowIds(1);
  const correlationId = rowTicketKey(LIFECYCLE_TRIGGER, 'public.incident_request', id);
  suite.lane.target.tickets.push({
    id: `closed-${id}`,
    number: `CLOSED${id}`,
    correlationId,
    createdAt: new Date().toISOString(),
    closed: true,
    fields: { state: 'resolved' },
  });
  const table = { schema: 'public', name: 'incident_request' };
  const data = { old: { id, ...v0 }, new: { id, ...v1 } };
  const event = toRowEvent({
    eventId: randomUUID(),
    trigger: LIFECYCLE_TRIGGER,
    table,
    op: 'UPDATE',
    createdAt: T(2),
    data,
    sessionVariables: null,
  });
  // As an older webhook froze them: ignore closed tickets, and a minute's reorder window.
  const frozen = { manual: 'create' as const, onClosed: 'ignore' as const, reorderWindowMs: 60_000 };
  const workflowId = `row-rules-${id}`;
  await suite.temporal.client.workflow.signalWithStart(ROW_WORKFLOW_TYPE, {
    workflowId,
    taskQueue: suite.lane.taskQueue,
    args: [{ trigger: LIFECYCLE_TRIGGER, table, rowKey: String(id), correlationId, rules: frozen }],
    signal: rowEventSignal,
    signalArgs: [event],
  });
  // The worker's config (test/fixtures/lifecycle.yaml): reopen, 300 ms.
  await eventually(() => (suite.lane.ticketsOf(id)[0].closed ? undefined : true), {
    what: 'the ticket reopened',
    timeoutMs: 10_000,
  });
  expect(suite.lane.ticketsOf(id)[0].fields).toMatchObject({ state: 'open', short_description: 'Disk full' });
  await suite.temporal.client.workflow.getHandle(workflowId).terminate('test done');
});
