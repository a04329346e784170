import { Context } from '@temporalio/activity';
import type { EventTicketInput } from '../../src/contract';
import { activitiesWithFake, afterCall, type FakeTarget } from '../helpers/fake-target';
import { active, createPathHarness, eventInput as input, expectOneReported } from '../helpers/create-harness';
import { eventually } from '../helpers/stack';

/**
 * Review of issue 16 (F1): singleTicketWorkflow's create has a 20 s heartbeat timeout, so Temporal may start
 * attempt 2 while attempt 1 still runs: its worker cannot reach Temporal (its heartbeats are lost) but can reach
 * the ticket system, and may send its create until TICKET_ATTEMPT_TIMEOUT after its start.
 */
describe('singleTicketWorkflow: attempts that overlap', () => {
  const { withWorker, start } = createPathHarness('singleTicketWorkflow');

  /** Attempt 1's heartbeats never reach Temporal (a partitioned worker); the later attempts' do. */
  const partitioned = (target: FakeTarget) => {
    const activities = activitiesWithFake(target);
    const createEventTicket = (call: EventTicketInput) => {
      const context = Context.current();
      if (context.info.attempt === 1) Object.assign(context, { heartbeat: () => undefined });
      return activities.createEventTicket(call);
    };
    return { ...activities, createEventTicket };
  };

  test("when a partitioned attempt 1 sends its create after attempt 2's create and its duplicate-check delay, then the late check still sees it: one ticket kept, the other cancelled, the kept one reported", async () => {
    await withWorker(async (target, taskQueue) => {
      // Heartbeat timeout at 20 s, attempt 2 2 s later (lookup, create, check 0.1 s later). Attempt 1's POST leaves
      // once a late check has looked (the second find), at 24 s at the latest, and commits at once: inside its 30 s
      // TICKET_ATTEMPT_TIMEOUT, and before the SDK's own timer cancels the unacknowledged attempt on the worker
      // (observed at 25 s with SDK 1.24).
      target.createFailures = [
        { answer: 'hang', sentWhen: afterCall('find', 2), sendAfterMs: 24_000, commitAfterMs: 0 },
      ];
      const policy = { attemptTimeoutMs: 30_000, duplicateCheckDelayMs: 100 };
      const handle = await start(taskQueue, input({ policy }));
      const outcome = await handle.result();
      await eventually(() => (target.tickets.length === 2 ? true : undefined), { what: "attempt 1's late commit" });
      expect(active(target)).toHaveLength(1);
      expect(outcome).toMatchObject({ status: 'created', duplicatesCancelled: 1, ticket: { number: 'FAKE0001' } });
      await expectOneReported(target, handle);
      const { events } = await handle.fetchHistory();
      const markers = events?.filter((e) => e.markerRecordedEventAttributes).length;
      // The longer wait is a patch added after the type's birth: it records its marker (F3).
      expect(markers).toBe(1);
    }, partitioned);
  }, 120_000);
});
