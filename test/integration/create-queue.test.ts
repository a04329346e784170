import type { WorkflowHandle } from '@temporalio/client';
import { ticketingQueueOf, type CreateQueue } from '../../src/contract';
import { hasuraEventSchema } from '../../src/hasura/event-schema';
import { createEventStarter } from '../../src/starting/event-starter';
import { TicketUnavailableError } from '../../src/ticketing/errors';
import { createPathHarness, eventInput, expectOneReported } from '../helpers/create-harness';
import { hasuraEventBody } from '../helpers/hasura';

/**
 * Where singleTicketWorkflow's create runs (EventWorkflowInput.createQueue, the starter's TICKET_CREATE_QUEUE): on
 * the workflow's own queue, so the server hands it to the worker completing the first workflow task (issue 16's
 * overhead), or on the ticketing queue, where Temporal's limiter holds creates back under a rate limit.
 */
const { withWorker, start, client } = createPathHarness('singleTicketWorkflow');

/** Each createEventTicket activity of the run, in order: its queue, attempts and how it ended. */
async function creates(handle: WorkflowHandle) {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = new Map<string, { queue: string; attempts?: number; ended?: string }>();
  for (const e of events) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s?.activityType?.name === 'createEventTicket') scheduled.set(String(e.eventId), { queue: s.taskQueue!.name! });
    const started = e.activityTaskStartedEventAttributes;
    const create = scheduled.get(String(started?.scheduledEventId));
    if (create) create.attempts = started!.attempt!;
    const completed = e.activityTaskCompletedEventAttributes;
    const done = scheduled.get(String(completed?.scheduledEventId));
    if (done) done.ended = 'completed';
  }
  return [...scheduled.values()];
}

async function startedBy(createQueue: CreateQueue | undefined, taskQueue: string) {
  const starter = createEventStarter({ client: client(), taskQueue, createQueue });
  const { workflowId } = await starter.start(hasuraEventSchema.parse(hasuraEventBody()));
  return client().workflow.getHandle(workflowId);
}

test("when the webhook's starter starts a single event, then its create runs on the workflow's own queue", () =>
  withWorker(async (target, taskQueue) => {
    const handle = await startedBy(undefined, taskQueue);
    await expectOneReported(target, handle);
    expect(await creates(handle)).toEqual([{ queue: taskQueue, attempts: 1, ended: 'completed' }]);
  }));

test('when the starter has TICKET_CREATE_QUEUE=ticketing, then the create runs on the ticketing queue', () =>
  withWorker(async (target, taskQueue) => {
    const handle = await startedBy('ticketing', taskQueue);
    await expectOneReported(target, handle);
    expect(await creates(handle)).toEqual([{ queue: ticketingQueueOf(taskQueue), attempts: 1, ended: 'completed' }]);
  }));

test('when a create on the workflow queue may have written, then its retry stays there, looks up and makes no second ticket', () =>
  withWorker(async (target, taskQueue) => {
    target.createFailures = [{ answer: new TicketUnavailableError('504 Gateway Timeout', { status: 504 }) }];
    const handle = await start(taskQueue, eventInput());
    await expectOneReported(target, handle);
    expect(await creates(handle)).toEqual([{ queue: taskQueue, attempts: 2, ended: 'completed' }]);
    expect(target.calls.slice(0, 3)).toEqual(['create', 'find', 'find']);
  }));

test('when the input is from before createQueue, then the create runs on the ticketing queue as it did', () =>
  withWorker(async (target, taskQueue) => {
    const { createQueue, ...before } = eventInput();
    expect(createQueue).toBe('workflow');
    const handle = await start(taskQueue, before);
    await expectOneReported(target, handle);
    expect(await creates(handle)).toEqual([{ queue: ticketingQueueOf(taskQueue), attempts: 1, ended: 'completed' }]);
  }));
