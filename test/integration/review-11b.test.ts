import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal as proto } from '@temporalio/proto';
import { abandonUpdate, retryUpdate, statusQuery, type BridgeActivities } from '../../src/contract';
import { TicketValidationError } from '../../src/ticketing/errors';
import { createBridgeWorker } from '../../src/worker/create-worker';
import { hasuraEventWorkflow } from '../../src/workflows';
import { eventInput, startEvent, untilState, withEventWorker } from '../helpers/event-harness';
import { activitiesWithFake, FakeTarget, FAST_TEST_POLICY } from '../helpers/fake-target';
import { eventually } from '../helpers/stack';
import { connectTestTemporal, testWorkflowBundle, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';

const { EventType, UpdateWorkflowExecutionLifecycleStage: Stage } = proto.api.enums.v1;

/** Adversarial review of issue 11 holes 8 and 9: interleavings the first round's tests did not reach. */

let temporal: TestTemporal;
beforeAll(async () => {
  temporal = await connectTestTemporal();
});
afterAll(async () => temporal?.close());

/** True once the server holds the Update (admitted), even though no worker has accepted it yet. */
async function admitted(workflowId: string, updateId: string): Promise<true | undefined> {
  try {
    await temporal.client.workflowService.pollWorkflowExecutionUpdate({
      namespace: 'default',
      updateRef: { workflowExecution: { workflowId }, updateId },
      identity: 'review-11b-test',
      waitPolicy: { lifecycleStage: Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED },
    });
    return true;
  } catch {
    return undefined; // not yet known to the server (NotFound): ask again
  }
}

test('when the transform local activity times out on every attempt, then the event parks (it is not failed and lost)', async () => {
  let calls = 0;
  const activities = (real: BridgeActivities): BridgeActivities => ({
    ...real,
    // Hangs past the local activity's start-to-close timeout the first three times, then maps.
    transformEvent: async (input) => {
      calls += 1;
      if (calls <= 3) await sleep(11_000);
      return real.transformEvent(input);
    },
  });
  await withEventWorker(temporal, { activities }, async (h) => {
    const handle = await startEvent(h);
    const parked = await eventually(
      async () => {
        const status = await handle.query(statusQuery);
        if (status.state === 'waiting-for-operator') return status;
        const closed = (await handle.describe()).status.name;
        if (closed !== 'RUNNING') throw new Error(`closed ${closed}: ${await handle.result().catch(String)}`);
        return undefined;
      },
      { timeoutMs: 60_000 },
    );
    console.log('LA timeout park', JSON.stringify(parked));
    expect(parked.lastError?.message).toMatch(/timeout|timed out/i);
    expect(await handle.executeUpdate(retryUpdate, { args: [{}] })).toMatchObject({ decision: 'retry' });
    expect(await handle.result()).toMatchObject({ status: 'created' });
    expect(h.target.tickets).toHaveLength(1);
  });
}, 120_000);

test('when a retry Update arrives in the same workflow task as the park deadline, then an accepted retry is acted on (never answered "retrying" and then expired)', async () => {
  const target = new FakeTarget();
  target.createFailures = [new TicketValidationError('Assignment group is mandatory')];
  const taskQueue = uniqueTaskQueue('race');
  const worker = async () =>
    createBridgeWorker({
      connection: temporal.nativeConnection,
      namespace: 'default',
      taskQueue,
      activities: activitiesWithFake(target),
      workflowBundle: await testWorkflowBundle(),
      shutdownGraceTime: '1 second',
    });
  // Long enough that the first worker has surely stopped before the deadline, even on a loaded machine.
  const input = eventInput({ ...FAST_TEST_POLICY, parkTimeoutMs: 8_000 });
  const handle = await temporal.client.workflow.start(hasuraEventWorkflow, {
    taskQueue,
    workflowId: `test-${input.event.eventId}`,
    args: [input],
  });
  const historyTypes = async () =>
    ((await handle.fetchHistory()).events ?? []).map((event) => EventType[event.eventType ?? 0]);
  const first = await worker();
  // The park's deadline timer must be recorded before the worker stops: the query can report the park while the
  // workflow task carrying the timer command is still in flight, and a task lost with its worker makes no timer.
  const parked = await first.runUntil(async () => {
    const state = await untilState(handle, 'waiting-for-operator');
    const started = async () => ((await historyTypes()).includes('EVENT_TYPE_TIMER_STARTED') ? true : undefined);
    await eventually(started, { timeoutMs: 30_000, what: 'the park deadline timer recorded' });
    return state;
  });
  // No worker while the deadline passes: the timer fires into a workflow task nobody takes yet.
  expect(Date.parse(parked.parkedUntil ?? '') - Date.now()).toBeGreaterThan(0);
  await eventually(async () => ((await historyTypes()).includes('EVENT_TYPE_TIMER_FIRED') ? true : undefined), {
    timeoutMs: 30_000,
    what: 'the park deadline timer to fire',
  });
  const updateId = `race-${input.event.eventId}`;
  const update = handle.executeUpdate(retryUpdate, { args: [{ reason: 'race' }], updateId }).then(
    (reply) => ({ accepted: true as const, reply }),
    (error: unknown) => ({ accepted: false as const, error }),
  );
  // The Update joins that pending task only once the server has admitted it; start the worker after, not after a sleep.
  await eventually(() => admitted(handle.workflowId, updateId), { timeoutMs: 30_000, what: 'the Update admitted' });
  const second = await worker();
  const outcome = await second.runUntil(
    (async () => ({
      update: await update,
      result: await handle.result().catch((error: unknown) => error),
    }))(),
  );
  // The race is real only if the deadline's timer and the Update reached the workflow in one task.
  const types = await historyTypes();
  const fired = types.indexOf('EVENT_TYPE_TIMER_FIRED');
  expect(types.slice(fired, fired + 6)).toEqual([
    'EVENT_TYPE_TIMER_FIRED',
    'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
    'EVENT_TYPE_WORKFLOW_TASK_STARTED',
    'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
    'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
    'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED',
  ]);
  if (outcome.update.accepted) {
    expect(outcome.result).not.toBeInstanceOf(WorkflowFailedError);
    expect(outcome.result).toMatchObject({ status: 'created' });
  } else {
    expect(outcome.result).toBeInstanceOf(WorkflowFailedError);
  }
}, 90_000);

test('when the mapping fails and the worker policy cannot be read either, then the event still parks (with the default deadline), it is not failed and lost', async () => {
  const activities = (real: BridgeActivities): BridgeActivities => ({
    ...real,
    transformEvent: () => Promise.reject(ApplicationFailure.nonRetryable('template cannot render', 'MappingError')),
    workerPolicy: () => Promise.reject(ApplicationFailure.nonRetryable('worker config unreadable', 'TestFault')),
  });
  await withEventWorker(temporal, { activities }, async (h) => {
    const handle = await startEvent(h);
    const parked = await untilState(handle, 'waiting-for-operator');
    expect(parked.lastError).toMatchObject({ type: 'MappingError' });
    await handle.executeUpdate(abandonUpdate, { args: [{ reason: 'test done' }] });
    expect(await handle.result()).toMatchObject({ status: 'abandoned', reason: 'test done' });
  });
});

test('when a row event cannot be forwarded to its row workflow, then the event parks for an operator, it is not failed and lost', async () => {
  const activities = (real: BridgeActivities): BridgeActivities => ({
    ...real,
    forwardToRowWorkflow: () => Promise.reject(ApplicationFailure.nonRetryable('namespace not found', 'TestFault')),
  });
  await withEventWorker(temporal, { activities }, async (h) => {
    const input = eventInput();
    const rowWorkflowId = `row-${input.event.eventId}`;
    const rules = {} as never;
    input.route = { kind: 'row', rowWorkflowId, rowCorrelationId: 'tr:row:7', rowKey: '7', rules };
    const handle = await startEvent(h, input);
    await untilState(handle, 'waiting-for-operator');
    await handle.executeUpdate(abandonUpdate, { args: [{ reason: 'test done' }] });
    expect(await handle.result()).toMatchObject({ status: 'abandoned' });
  });
});
