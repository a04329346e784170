import { WorkflowUpdateFailedError } from '@temporalio/client';
import { abandonSignal, abandonUpdate, retrySignal, retryUpdate, statusQuery } from '../../src/contract';
import { TicketValidationError } from '../../src/ticketing/errors';
import { GatedTarget, startEvent, untilState, withEventWorker } from '../helpers/event-harness';
import { FakeTarget } from '../helpers/fake-target';
import { eventually } from '../helpers/stack';
import { connectTestTemporal, type TestTemporal } from '../helpers/temporal';

/**
 * `retry` and `abandon` as Workflow Updates: the operator gets an answer, and a command sent while
 * nothing is parked is refused, never kept for a later park. The batch signals of the same names act
 * only on a parked event.
 */

let temporal: TestTemporal;
beforeAll(async () => {
  temporal = await connectTestTemporal();
});
afterAll(async () => temporal?.close());

/** The first create is held ("creating") until released, then refused for good: the event parks. */
function refusedAfterRelease(): { target: GatedTarget; release: () => void } {
  const target = new GatedTarget();
  target.createFailures = [new TicketValidationError('Data Policy Exception: Assignment group is mandatory')];
  return { target, release: target.hold() };
}

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('the update was accepted');
    },
    (error: unknown) => error as WorkflowUpdateFailedError,
  );

test('when a retry or abandon Update is sent while the event is not parked, then it is rejected with the reason and nothing is queued for the later park', async () => {
  const { target, release } = refusedAfterRelease();
  await withEventWorker(temporal, { target }, async (h) => {
    const handle = await startEvent(h);
    await untilState(handle, 'creating');
    for (const update of [retryUpdate, abandonUpdate]) {
      const error = await rejection(handle.executeUpdate(update, { args: [{ reason: 'too early' }] }));
      expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(error.cause?.message).toMatch(
        /^not parked: the workflow is creating; retry and abandon act only on a parked event/,
      );
    }
    release();
    const parked = await untilState(handle, 'waiting-for-operator');
    expect(parked.operatorRetries).toBe(0);

    const answer = await handle.executeUpdate(abandonUpdate, { args: [{ reason: 'test row' }] });
    expect(answer).toEqual({ decision: 'abandon', message: expect.stringMatching(/^abandoned: .*test row/) });
    expect(await handle.result()).toMatchObject({ status: 'abandoned', reason: 'test row' });
    expect(target.calls).toEqual(['create']);
  });
});

test('when a batch retry signal reaches an event that is not parked, then it is ignored with a note in the status, not kept for the later park', async () => {
  const { target, release } = refusedAfterRelease();
  await withEventWorker(temporal, { target }, async (h) => {
    const handle = await startEvent(h);
    await untilState(handle, 'creating');
    await handle.signal(retrySignal);
    const noted = await eventually(async () => (await handle.query(statusQuery)).operatorNote);
    expect(noted).toMatch(/^retry signal ignored: not parked: the workflow is creating/);
    release();
    await untilState(handle, 'waiting-for-operator');
    // The parked event still waits for a decision: the early signal was not kept.
    await handle.signal(abandonSignal, { reason: 'test done' });
    expect(await handle.result()).toMatchObject({ status: 'abandoned', reason: 'test done' });
    expect(target.calls).toEqual(['create']);
  });
});

test('when a retry Update carries bad overrides, then it is rejected with the reason; a good one is accepted, says what happens, and creates the ticket', async () => {
  const target = new FakeTarget();
  target.createFailures = [new TicketValidationError('Invalid urgency', { status: 400 })];
  await withEventWorker(temporal, { target }, async (h) => {
    const handle = await startEvent(h);
    await untilState(handle, 'waiting-for-operator');
    const bad = await rejection(handle.executeUpdate(retryUpdate, { args: [{ overrides: { 'bad key!': 'x' } }] }));
    expect(bad.cause?.message).toMatch(/^bad overrides: override key "bad key!" is not a field name/);
    const notAString = await rejection(handle.executeUpdate('retry', { args: [{ overrides: { urgency: 2 } }] }));
    expect(notAString.cause?.message).toBe('bad overrides: override urgency must be a string');
    expect(await handle.query(statusQuery)).toMatchObject({ state: 'waiting-for-operator', operatorRetries: 0 });

    const answer = await handle.executeUpdate(retryUpdate, { args: [{ overrides: { urgency: '2' }, reason: 'fix' }] });
    expect(answer).toEqual({
      decision: 'retry',
      message: expect.stringMatching(/^retrying with overrides urgency; query status/),
    });
    expect(await handle.result()).toMatchObject({ status: 'created' });
    expect(target.tickets).toHaveLength(1);
    expect(target.tickets[0].fields.urgency).toBe('2');
  });
});

test('when two retry Updates race for one park, then the first is accepted and the second is rejected', async () => {
  const target = new FakeTarget();
  target.createFailures = [new TicketValidationError('Invalid urgency', { status: 400 })];
  await withEventWorker(temporal, { target }, async (h) => {
    const handle = await startEvent(h);
    await untilState(handle, 'waiting-for-operator');
    const answers = await Promise.allSettled([
      handle.executeUpdate(retryUpdate, { args: [{ overrides: { urgency: '2' } }] }),
      handle.executeUpdate(retryUpdate, { args: [{ overrides: { urgency: '3' } }] }),
    ]);
    const accepted = answers.filter((a) => a.status === 'fulfilled');
    expect(accepted).toHaveLength(1);
    expect(await handle.result()).toMatchObject({ status: 'created' });
    expect(target.tickets).toHaveLength(1);
  });
});
