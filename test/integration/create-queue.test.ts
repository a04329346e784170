import type { WorkflowHandle } from '@temporalio/client';
import { retrySignal, statusQuery, ticketingQueueOf, TICKETING_QUEUE_REQUIRED } from '../../src/contract';
import { hasuraEventSchema } from '../../src/hasura/event-schema';
import { createEventStarter } from '../../src/starting/event-starter';
import { TicketValidationError } from '../../src/ticketing/errors';
import { createPathHarness, eventInput, expectOneReported } from '../helpers/create-harness';
import { hasuraEventBody } from '../helpers/hasura';
import { eventually } from '../helpers/stack';

/**
 * Where singleTicketWorkflow's create runs (EventWorkflowInput.createQueue): on the workflow's own queue, so the
 * server hands it to the worker completing the first workflow task (issue 16's overhead), unless the worker
 * rate-limits ticket calls; then it runs on the ticketing queue, where Temporal's limiter holds it back.
 */
const { withWorker, start, client } = createPathHarness('singleTicketWorkflow');

/** Each createEventTicket activity of the run, in order: its queue and how it ended. */
async function creates(handle: WorkflowHandle) {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = new Map<string, { queue: string; ended?: string }>();
  for (const e of events) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s?.activityType?.name === 'createEventTicket') scheduled.set(String(e.eventId), { queue: s.taskQueue!.name! });
    const failed = e.activityTaskFailedEventAttributes;
    const completed = e.activityTaskCompletedEventAttributes;
    const create = scheduled.get(String((failed ?? completed)?.scheduledEventId));
    if (create) create.ended = failed ? (failed.failure?.applicationFailureInfo?.type ?? 'failed') : 'completed';
  }
  return [...scheduled.values()];
}

const eventuallyParked = (handle: WorkflowHandle) =>
  eventually(async () => ((await handle.query(statusQuery)).state === 'waiting-for-operator' ? true : undefined), {
    what: `${handle.workflowId} parked`,
  });

test("when the webhook's starter starts a single event, then its create runs on the workflow's own queue", () =>
  withWorker(async (target, taskQueue) => {
    const starter = createEventStarter({ client: client(), taskQueue });
    const { workflowId } = await starter.start(hasuraEventSchema.parse(hasuraEventBody()));
    const handle = client().workflow.getHandle(workflowId);
    await expectOneReported(target, handle);
    expect(await creates(handle)).toEqual([{ queue: taskQueue, ended: 'completed' }]);
  }));

test('when the worker rate-limits ticket calls, then the create is refused on the workflow queue before any call and runs on the ticketing queue', () =>
  withWorker(
    async (target, taskQueue) => {
      const handle = await start(taskQueue, eventInput());
      await expectOneReported(target, handle);
      expect(await creates(handle)).toEqual([
        { queue: taskQueue, ended: TICKETING_QUEUE_REQUIRED },
        { queue: ticketingQueueOf(taskQueue), ended: 'completed' },
      ]);
      expect(target.calls).toEqual(['create']);
    },
    undefined,
    { ticketRateLimited: true },
  ));

test('when a refused create parks and the operator retries, then the retry goes straight to the ticketing queue', () =>
  withWorker(
    async (target, taskQueue) => {
      target.createFailures = [new TicketValidationError('Invalid urgency', { status: 400 })];
      const handle = await start(taskQueue, eventInput());
      await eventuallyParked(handle);
      await handle.signal(retrySignal, { overrides: { urgency: '2' }, reason: 'fixed the urgency' });
      await expectOneReported(target, handle);
      const ticketing = ticketingQueueOf(taskQueue);
      expect(await creates(handle)).toEqual([
        { queue: taskQueue, ended: TICKETING_QUEUE_REQUIRED },
        { queue: ticketing, ended: 'TicketValidationError' },
        { queue: ticketing, ended: 'completed' },
      ]);
    },
    undefined,
    { ticketRateLimited: true },
  ));

test('when the input is from before createQueue, then the create runs on the ticketing queue as it did', () =>
  withWorker(async (target, taskQueue) => {
    const { createQueue, ...before } = eventInput();
    expect(createQueue).toBe('workflow');
    const handle = await start(taskQueue, before);
    await expectOneReported(target, handle);
    expect(await creates(handle)).toEqual([{ queue: ticketingQueueOf(taskQueue), ended: 'completed' }]);
  }));
