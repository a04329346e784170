import { TicketRateLimitedError, TicketUnavailableError } from '../../src/ticketing/errors';
import { abandonSignal, statusQuery } from '../../src/contract';
import { afterCall } from '../helpers/fake-target';
import {
  createPathHarness,
  SINGLE_EVENT_WORKFLOWS,
  eventInput as input,
  expectOneReported,
} from '../helpers/create-harness';
import { eventually } from '../helpers/stack';

/**
 * Issue 11, review: interleavings of the create path the first round left open. As in
 * create-interleavings.test.ts, the fake target scripts when a write arrives, commits and is answered.
 */
describe.each(Object.keys(SINGLE_EVENT_WORKFLOWS) as (keyof typeof SINGLE_EVENT_WORKFLOWS)[])('%s', (type) => {
  const { withWorker, start, resetToFirstWorkflowTask } = createPathHarness(type);

  test("when attempt 1's create is held on the way past the attempt's deadline, then it is never sent: no write arrives after the late check", async () => {
    await withWorker(async (target, taskQueue) => {
      // Attempt 1 stalls before its POST leaves (a frozen worker, slow token requests) and would send it only after
      // the retry's late check has looked: Temporal timed the attempt out, but nothing told the activity.
      target.createFailures = [{ answer: 'hang', sentWhen: afterCall('find', 2) }];
      // 3 s, not less: the retry must finish its lookup, create and check inside one attempt on a busy CI machine,
      // or it too times out and the event parks after the policy's 3 attempts (CI, 2026-12-03).
      const handle = await start(taskQueue, input({ policy: { attemptTimeoutMs: 3_000 } }));
      expect(await handle.result()).toMatchObject({ status: 'created', duplicatesCancelled: 0 });
      expect(target.calls).toEqual(['create', 'find', 'create', 'find']);
      await expectOneReported(target, handle);
    });
  });

  test('when the create answers 503 after the ticket was stored (a proxy whose upstream reset after forwarding), then the retry finds it', async () => {
    await withWorker(async (target, taskQueue) => {
      const answer = new TicketUnavailableError('upstream connect error or disconnect/reset before headers', {
        status: 503,
      });
      target.createFailures = [{ answer }];
      const handle = await start(taskQueue, input());
      expect(await handle.result()).toMatchObject({ status: 'created', reusedExisting: true });
      expect(target.tickets).toHaveLength(1);
      expect(target.calls.slice(0, 2)).toEqual(['create', 'find']);
    });
  });

  test("when a run is reset before the old run's attempt has sent its create, then the reset run's late check waits that attempt out and cancels its later commit", async () => {
    await withWorker(async (target, taskQueue) => {
      // The old attempt sends its create late in its 4 s window (after a slow lookup, say), and the instance takes
      // 0.8 s to commit it: within DUPLICATE_CHECK_DELAY (1 s) of the send, as the policy assumes.
      target.createFailures = [{ answer: 'hang', sendAfterMs: 2_500, commitAfterMs: 800 }];
      const handle = await start(
        taskQueue,
        input({ policy: { attemptTimeoutMs: 4_000, duplicateCheckDelayMs: 1_000 } }),
      );
      await eventually(() => (target.calls.length === 1 ? true : undefined), { what: 'the first create' });
      const rerun = await resetToFirstWorkflowTask(handle);
      expect(await rerun.result()).toMatchObject({ status: 'created', duplicatesCancelled: 1 });
      await expectOneReported(target, rerun);
    });
  });

  test("when every attempt is refused with a retryable error, then the event parks after the policy's last attempt, counting them all", async () => {
    await withWorker(async (target, taskQueue) => {
      // 429 each time: provably not written, so every attempt creates directly (FAST_TEST_POLICY: 3 attempts).
      target.createFailures = [1, 2, 3, 4].map(() => new TicketRateLimitedError('Too Many Requests', { status: 429 }));
      const handle = await start(taskQueue, input());
      const status = await eventually(async () => {
        const current = await handle.query(statusQuery);
        return current.state === 'waiting-for-operator' ? current : undefined;
      });
      expect(status).toMatchObject({ attempts: 3, lastError: { type: 'TicketRateLimitedError' } });
      expect(target.calls).toEqual(['create', 'create', 'create']);
      await handle.signal(abandonSignal, { reason: 'test done' });
      await expect(handle.result()).resolves.toMatchObject({ status: 'abandoned' });
    });
  });
});
