import type { WorkflowHandle } from '@temporalio/client';
import { abandonSignal, statusQuery } from '../../src/contract';
import { TicketValidationError } from '../../src/ticketing/errors';
import { timedOut } from '../helpers/fake-target';
import {
  createPathHarness,
  eventInput as input,
  expectOneReported,
  SINGLE_EVENT_WORKFLOWS,
  type SingleEventWorkflow,
} from '../helpers/create-harness';
import { eventually } from '../helpers/stack';

/** The operator's `abandon` (reason "bad data"), as soon as the event is parked. */
async function abandonOnceParked(handle: WorkflowHandle): Promise<void> {
  const parked = async () => ((await handle.query(statusQuery)).state === 'waiting-for-operator' ? true : undefined);
  await eventually(parked, { what: 'park' });
  await handle.signal(abandonSignal, { reason: 'bad data' });
}

/**
 * Review of issue 16 (F2): the policy's last attempt fails for good and the event parks while an earlier attempt's
 * write commits later. An operator's `abandon` must not report "abandoned" over an open ticket.
 */
describe.each(Object.keys(SINGLE_EVENT_WORKFLOWS) as SingleEventWorkflow[])(
  '%s: abandon after a possible write',
  (type) => {
    const { withWorker, start } = createPathHarness(type);

    test('when an earlier attempt commits its ticket after the park and the operator abandons, then the outcome is created with that ticket, written everywhere, with a note', async () => {
      await withWorker(async (target, taskQueue) => {
        target.createFailures = [
          // Attempt 1 times out; the instance commits its ticket 1.5 s later (within DUPLICATE_CHECK_DELAY, 2 s).
          { answer: timedOut(), commitAfterMs: 1_500 },
          // Attempt 2 looks up (nothing yet) and is refused for good: the event parks.
          new TicketValidationError('Invalid urgency', { status: 400 }),
        ];
        const policy = { duplicateCheckDelayMs: 2_000 };
        const handle = await start(taskQueue, input({ policy }));
        await abandonOnceParked(handle);
        const outcome = await handle.result();
        expect(outcome).toMatchObject({ status: 'created', reusedExisting: true, ticket: { number: 'FAKE0001' } });
        expect(outcome.status === 'created' && outcome.note).toMatch(/abandon.*after a possible write.*bad data/);
        await expectOneReported(target, handle);
      });
    });

    test('when an earlier attempt timed out but stored nothing and the operator abandons, then the event is abandoned after the lookup', async () => {
      await withWorker(async (target, taskQueue) => {
        target.createFailures = [timedOut(), new TicketValidationError('Invalid urgency', { status: 400 })];
        const handle = await start(taskQueue, input());
        await abandonOnceParked(handle);
        await expect(handle.result()).resolves.toMatchObject({ status: 'abandoned', reason: 'bad data' });
        expect(target.calls).toEqual(['create', 'find', 'create', 'find']);
        expect(target.tickets).toHaveLength(0);
      });
    });

    test('when the lookup after a possible write fails on every attempt of its schedule, then the event is abandoned with a note that a ticket may exist, naming the correlation id', async () => {
      await withWorker(async (target, taskQueue) => {
        target.createFailures = [timedOut(), new TicketValidationError('Invalid urgency', { status: 400 })];
        // Attempt 2's find answers; every find of the abandon's lookup fails (the outage that parked the event).
        target.findFailures = [undefined, timedOut(), timedOut()];
        const ticketRetry = {
          maximumAttempts: 2,
          initialIntervalMs: 100,
          backoffCoefficient: 1,
          maximumIntervalMs: 100,
        };
        const event = input({ policy: { ticketRetry } });
        const handle = await start(taskQueue, event);
        await abandonOnceParked(handle);
        const outcome = await handle.result();
        expect(outcome).toMatchObject({ status: 'abandoned', reason: 'bad data' });
        const note = outcome.status === 'abandoned' ? outcome.note : undefined;
        expect(note).toMatch(/lookup failed.*ticket may exist.*correlation id/);
        expect(note).toContain(event.correlationId);
      });
    });

    test('when the park follows a first attempt refused for good, then abandon ends the event at once, without a lookup', async () => {
      await withWorker(async (target, taskQueue) => {
        target.createFailures = [new TicketValidationError('Invalid urgency', { status: 400 })];
        const handle = await start(taskQueue, input());
        await abandonOnceParked(handle);
        await expect(handle.result()).resolves.toMatchObject({ status: 'abandoned', reason: 'bad data' });
        expect(target.calls).toEqual(['create']);
      });
    });
  },
);
