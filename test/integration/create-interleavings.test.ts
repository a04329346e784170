import { retrySignal, statusQuery } from '../../src/contract';
import { TicketUnavailableError, TicketValidationError } from '../../src/ticketing/errors';
import { afterCall, timedOut } from '../helpers/fake-target';
import {
  createPathHarness,
  SINGLE_EVENT_WORKFLOWS,
  eventInput as input,
  expectOneReported,
  hasuraTime,
} from '../helpers/create-harness';
import { eventually } from '../helpers/stack';

/**
 * "Exactly one ticket, and the bridge reports the one that survives" under the create path's
 * interleavings (issue 11). The fake target stamps a create when it arrives and keeps it invisible
 * until a scripted later call, as a slow transaction on a real instance: no sleeps, no timing races.
 */
describe.each(Object.keys(SINGLE_EVENT_WORKFLOWS) as (keyof typeof SINGLE_EVENT_WORKFLOWS)[])('%s', (type) => {
  const { withWorker, start, resetToFirstWorkflowTask } = createPathHarness(type);

  describe('hole 1: every attempt that follows a possibly-written one gets the late-duplicate check', () => {
    test('when attempt 1 is slow, attempt 2 stalls and attempt 3 reuses attempt 1 ticket, then attempt 2 late commit is cancelled', async () => {
      await withWorker(async (target, taskQueue) => {
        target.createFailures = [
          // Attempt 1: times out; its ticket commits while attempt 2 is writing.
          { answer: timedOut(), commitWhen: afterCall('create', 2) },
          // Attempt 2: looks up (nothing yet), writes, times out; commits after attempt 3 found attempt 1's ticket.
          { answer: timedOut(), commitWhen: afterCall('find', 2) },
        ];
        const handle = await start(taskQueue, input());
        expect(await handle.result()).toMatchObject({
          status: 'created',
          reusedExisting: true,
          duplicatesCancelled: 1,
        });
        expect(target.calls).toEqual(['create', 'find', 'create', 'find', 'find', 'cancel']);
        await expectOneReported(target, handle);
      });
    });

    test('when an operator retries while the first schedule write is still uncommitted, then its late commit is cancelled', async () => {
      await withWorker(async (target, taskQueue) => {
        target.createFailures = [
          // Attempt 1 times out; its ticket commits only after the operator's retry has created one.
          { answer: timedOut(), commitWhen: afterCall('create', 3) },
          new TicketValidationError('Invalid urgency', { status: 400 }),
        ];
        const handle = await start(taskQueue, input());
        await eventually(
          async () => ((await handle.query(statusQuery)).state === 'waiting-for-operator' ? true : undefined),
          {
            what: 'park',
          },
        );
        await handle.signal(retrySignal, { overrides: { urgency: '2' } });
        expect(await handle.result()).toMatchObject({ status: 'created', duplicatesCancelled: 1 });
        await expectOneReported(target, handle);
      });
    });

    test("when a run is reset while the old run's create is in flight, then the old write's late commit is cancelled", async () => {
      await withWorker(async (target, taskQueue) => {
        // The old run's create hangs and commits once the reset run has written its own.
        target.createFailures = [{ answer: 'hang', commitWhen: afterCall('create', 2) }];
        const handle = await start(taskQueue, input());
        await eventually(() => (target.calls.length === 1 ? true : undefined), { what: 'the first create' });
        const rerun = await resetToFirstWorkflowTask(handle);
        expect(await rerun.result()).toMatchObject({ status: 'created', duplicatesCancelled: 1 });
        await expectOneReported(target, rerun);
      });
    });
  });

  describe('hole 2: a gateway or proxy timeout may hide a committed write', () => {
    test.each([502, 504, 408])(
      'when the create answers %i after the ticket was stored, then the retry finds it and nothing is created twice',
      async (status) => {
        await withWorker(async (target, taskQueue) => {
          target.createFailures = [{ answer: new TicketUnavailableError(`answered ${status}`, { status }) }];
          const handle = await start(taskQueue, input());
          expect(await handle.result()).toMatchObject({ status: 'created', reusedExisting: true });
          expect(target.tickets).toHaveLength(1);
          expect(target.calls.slice(0, 2)).toEqual(['create', 'find']);
        });
      },
    );
  });

  test('hole 4: when the late check keeps an older ticket than the one created, then the kept ticket is the one reported', async () => {
    await withWorker(async (target, taskQueue) => {
      // Attempt 1 times out, its ticket (stamped first, so the oldest) commits after attempt 2 created another.
      target.createFailures = [{ answer: timedOut(), commitWhen: afterCall('create', 2) }];
      const handle = await start(taskQueue, input());
      expect(await handle.result()).toMatchObject({ status: 'created', duplicatesCancelled: 1 });
      expect(target.tickets.map((t) => [t.number, Boolean(t.closed)])).toEqual([
        ['FAKE0001', false],
        ['FAKE0002', true],
      ]);
      await expectOneReported(target, handle);
    });
  });

  describe('hole 6: a redelivered event whose workflow left retention', () => {
    test('when the event is older than LOOKUP_FIRST_AFTER and its ticket exists, then the fresh run reuses it', async () => {
      await withWorker(async (target, taskQueue) => {
        const args = input({ createdAt: hasuraTime(2 * 3600_000) });
        const existing = target.seed(args.correlationId);
        const handle = await start(taskQueue, args);
        expect(await handle.result()).toMatchObject({
          status: 'created',
          reusedExisting: true,
          ticket: { number: existing.number },
        });
        expect(target.tickets).toHaveLength(1);
        expect(target.calls[0]).toBe('find');
      });
    });

    test('when the event is fresh, then the ticket is created with exactly one call (the happy path)', async () => {
      await withWorker(async (target, taskQueue) => {
        const handle = await start(taskQueue, input({ createdAt: hasuraTime(1_000) }));
        expect(await handle.result()).toMatchObject({
          status: 'created',
          reusedExisting: false,
          duplicatesCancelled: 0,
        });
        expect(target.calls).toEqual(['create']);
      });
    });

    test('when the policy lowers the age, then an event older than it looks up first', async () => {
      await withWorker(async (target, taskQueue) => {
        const handle = await start(
          taskQueue,
          input({ createdAt: hasuraTime(60_000), policy: { lookupFirstAfterMs: 30_000 } }),
        );
        expect(await handle.result()).toMatchObject({ status: 'created', reusedExisting: false });
        expect(target.calls.slice(0, 2)).toEqual(['find', 'create']);
      });
    });
  });
});
