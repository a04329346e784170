import { randomUUID } from 'node:crypto';
import { tsToMs } from '@temporalio/common/lib/time';
import type { WorkflowHandle } from '@temporalio/client';
import {
  abandonSignal,
  resolvePolicy,
  rowEventSignal,
  statusQuery,
  type BridgeActivities,
  type EventWorkflowInput,
  type HasuraEvent,
  type RowWorkflowInput,
} from '../../src/contract';
import { TicketValidationError } from '../../src/ticketing/errors';
import { hasuraEventWorkflow, rowTicketWorkflow } from '../../src/workflows';
import { createBridgeWorker } from '../../src/worker/create-worker';
import { activitiesWithFake, FakeTarget } from '../helpers/fake-target';
import { eventually } from '../helpers/stack';
import { connectTestTemporal, testWorkflowBundle, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';

/** The worker's config (TICKET_RETRY_*, TICKET_ATTEMPT_TIMEOUT, PARK_TIMEOUT …), unlike the defaults. */
const WORKER_POLICY = resolvePolicy({
  ticketRetry: { initialIntervalMs: 100, backoffCoefficient: 1, maximumIntervalMs: 200, maximumAttempts: 5 },
  attemptTimeoutMs: 7_000,
  parkTimeoutMs: 3 * 3600_000,
  duplicateCheckDelayMs: 100,
});
/** How that policy shows in an activity's ActivityTaskScheduled event. */
const WORKER_SCHEDULE = { timeoutMs: 7_000, maximumAttempts: 5, initialIntervalMs: 100 };

let temporal: TestTemporal;
beforeAll(async () => {
  temporal = await connectTestTemporal();
});
afterAll(async () => temporal?.close());

async function withWorker(activities: BridgeActivities, test: (taskQueue: string) => Promise<void>): Promise<void> {
  const taskQueue = uniqueTaskQueue('policy');
  const { nativeConnection: connection } = temporal;
  const workflowBundle = await testWorkflowBundle();
  const worker = await createBridgeWorker({ connection, namespace: 'default', taskQueue, activities, workflowBundle });
  await worker.runUntil(test(taskQueue));
}

function event(): HasuraEvent {
  const table = { schema: 'public', name: 'incident_request' };
  const data = { old: null, new: { id: 7, title: 'Disk full' } };
  const createdAt = '2026-01-01T00:00:00.1';
  return { eventId: randomUUID(), trigger: 'tr', table, op: 'INSERT', createdAt, data, sessionVariables: null };
}

function eventInput(policy?: EventWorkflowInput['policy']): EventWorkflowInput {
  const e = event();
  return { event: e, correlationId: `tr:${e.eventId}`, policy };
}

/** How the workflow scheduled its first activity of this type: what the server enforces. */
async function schedule(handle: WorkflowHandle, activityType: string) {
  const history = await handle.fetchHistory();
  const scheduled = history
    .events!.map((e) => e.activityTaskScheduledEventAttributes)
    .find((a) => a?.activityType?.name === activityType);
  if (!scheduled) throw new Error(`${activityType} was not scheduled`);
  const { startToCloseTimeout, retryPolicy } = scheduled;
  return {
    timeoutMs: tsToMs(startToCloseTimeout),
    maximumAttempts: retryPolicy?.maximumAttempts,
    initialIntervalMs: tsToMs(retryPolicy?.initialInterval),
  };
}

const start = (taskQueue: string, args: EventWorkflowInput) =>
  temporal.client.workflow.start(hasuraEventWorkflow, { taskQueue, workflowId: `p-${randomUUID()}`, args: [args] });

test('when the input carries no policy, then ticket calls follow the worker policy', async () => {
  await withWorker(activitiesWithFake(new FakeTarget(), { policy: WORKER_POLICY }), async (taskQueue) => {
    const handle = await start(taskQueue, eventInput());
    await expect(handle.result()).resolves.toMatchObject({ status: 'created' });
    expect(await schedule(handle, 'createTicket')).toEqual(WORKER_SCHEDULE);
  });
});

test('when the input carries a policy, then its fields win over the worker policy, field by field', async () => {
  await withWorker(activitiesWithFake(new FakeTarget(), { policy: WORKER_POLICY }), async (taskQueue) => {
    const handle = await start(taskQueue, eventInput({ attemptTimeoutMs: 4_000 }));
    await expect(handle.result()).resolves.toMatchObject({ status: 'created' });
    expect(await schedule(handle, 'createTicket')).toEqual({ ...WORKER_SCHEDULE, timeoutMs: 4_000 });
  });
});

test('when a create fails for good, then the event parks for the worker park timeout', async () => {
  const target = new FakeTarget();
  target.createFailures = [new TicketValidationError('Invalid urgency', { status: 400 })];
  await withWorker(activitiesWithFake(target, { policy: WORKER_POLICY }), async (taskQueue) => {
    const handle = await start(taskQueue, eventInput());
    const status = await eventually(
      async () => {
        const s = await handle.query(statusQuery);
        return s.state === 'waiting-for-operator' ? s : undefined;
      },
      { what: 'park' },
    );
    // The built-in park timeout is 7 days: within a minute of 3 hours, it came from the worker.
    const parkMs = Date.parse(status.parkedUntil!) - Date.parse(status.updatedAt);
    expect(Math.abs(parkMs - WORKER_POLICY.parkTimeoutMs)).toBeLessThan(60_000);
    await handle.signal(abandonSignal, { reason: 'test done' });
    await handle.result();
  });
});

test('when an event is forwarded to its row workflow, then the forward follows the worker policy', async () => {
  await withWorker(activitiesWithFake(new FakeTarget(), { policy: WORKER_POLICY }), async (taskQueue) => {
    const rules = { manual: 'create' as const, onClosed: 'reopen' as const, reorderWindowMs: 0 };
    const rowWorkflowId = `row-${randomUUID()}`;
    const route = { kind: 'row' as const, rowWorkflowId, rowCorrelationId: 'tr:7', rowKey: '7', rules };
    // This worker has no Temporal client, so the forward fails and retries: only its schedule matters here.
    const handle = await start(taskQueue, { ...eventInput(), route });
    const forward = () => schedule(handle, 'forwardToRowWorkflow').catch(() => undefined);
    expect(await eventually(forward, { what: 'forward' })).toEqual(WORKER_SCHEDULE);
    await handle.terminate('test done');
  });
});

test('when a row workflow applies an event, then its ticket calls follow the worker policy', async () => {
  await withWorker(activitiesWithFake(new FakeTarget(), { policy: WORKER_POLICY }), async (taskQueue) => {
    const e = event();
    const input: RowWorkflowInput = {
      trigger: e.trigger,
      table: e.table,
      rowKey: '7',
      correlationId: `tr:public.incident_request:7:${e.eventId}`,
      rules: { manual: 'create', onClosed: 'reopen', reorderWindowMs: 0 },
    };
    const handle = await temporal.client.workflow.signalWithStart(rowTicketWorkflow, {
      taskQueue,
      workflowId: `policy-row-${e.eventId}`,
      args: [input],
      signal: rowEventSignal,
      signalArgs: [e],
    });
    const applied = async () => ((await handle.query(statusQuery)).row?.applied === 1 ? true : undefined);
    await eventually(applied, { what: 'applied' });
    expect(await schedule(handle, 'applyRowEvent')).toEqual(WORKER_SCHEDULE);
    await handle.terminate('test done');
  });
});
