import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { statusQuery, type BridgeActivities, type EventPolicy, type EventWorkflowInput } from '../../src/contract';
import { hasuraEventWorkflow, singleTicketWorkflow } from '../../src/workflows';
import { createQueueWorkers } from './queue-workers';
import { activitiesWithFake, FakeTarget, FAST_TEST_POLICY } from './fake-target';
import { connectTestTemporal, testWorkflowBundle, uniqueTaskQueue, type TestTemporal } from './temporal';

/** Both workflow types that create a single event's ticket: the exactly-once tests run against each. */
export const SINGLE_EVENT_WORKFLOWS = { hasuraEventWorkflow, singleTicketWorkflow } as const;
export type SingleEventWorkflow = keyof typeof SINGLE_EVENT_WORKFLOWS;

/**
 * An event workflow type against a fake target on a real Temporal dev server, for tests of the create path's
 * interleavings (issue 11): one worker per test (and its ticketing queue's), events as Hasura sends them, and where
 * the ticket is reported.
 */
export function createPathHarness(type: SingleEventWorkflow = 'hasuraEventWorkflow') {
  let temporal: TestTemporal;
  beforeAll(async () => {
    temporal = await connectTestTemporal();
  });
  afterAll(async () => temporal?.close());

  /** `activities`: the worker's, around the fake (default: the real ones, as activitiesWithFake builds them). */
  async function withWorker(
    test: (target: FakeTarget, taskQueue: string) => Promise<void>,
    activities: (target: FakeTarget) => BridgeActivities = activitiesWithFake,
  ): Promise<void> {
    const target = new FakeTarget();
    const taskQueue = uniqueTaskQueue('interleave');
    // A create left hanging by a reset run's predecessor is aborted at shutdown, not waited for.
    const workers = await createQueueWorkers({
      ...{
        connection: temporal.nativeConnection,
        namespace: 'default',
        taskQueue,
        activities: activities(target),
      },
      ...{ workflowBundle: await testWorkflowBundle(), shutdownGraceTime: 1_000 },
    });
    await workers.runUntil(test(target, taskQueue));
  }

  const start = (taskQueue: string, args: EventWorkflowInput) =>
    temporal.client.workflow.start(SINGLE_EVENT_WORKFLOWS[type], {
      taskQueue,
      workflowId: `interleave-${args.event.eventId}`,
      args: [args],
    });

  /** The runbook's `temporal workflow reset --type FirstWorkflowTask`, through the API. */
  async function resetToFirstWorkflowTask(handle: WorkflowHandle): Promise<WorkflowHandle> {
    const { events } = await handle.fetchHistory();
    const firstTask = events?.find((e) => e.workflowTaskCompletedEventAttributes);
    await temporal.client.workflowService.resetWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId: handle.workflowId },
      reason: 'test: re-run while the old attempt is in flight',
      workflowTaskFinishEventId: firstTask!.eventId,
      requestId: randomUUID(),
    });
    return temporal.client.workflow.getHandle(handle.workflowId);
  }

  return { withWorker, start, resetToFirstWorkflowTask, client: () => temporal.client };
}

/** Hasura's created_at: the database's NOW() without a zone. */
export const hasuraTime = (msAgo = 0) => new Date(Date.now() - msAgo).toISOString().replace('Z', '');

export function eventInput(options: { createdAt?: string; policy?: Partial<EventPolicy> } = {}): EventWorkflowInput {
  const eventId = randomUUID();
  return {
    event: {
      eventId,
      trigger: 'tr',
      table: { schema: 'public', name: 'incident_request' },
      op: 'INSERT',
      createdAt: options.createdAt ?? hasuraTime(),
      data: { old: null, new: { id: 7, title: 'Disk full' } },
      sessionVariables: null,
    },
    correlationId: `tr:${eventId}`,
    policy: { ...FAST_TEST_POLICY, ...options.policy },
    // As the webhook starts it: singleTicketWorkflow's create on the workflow's own queue.
    createQueue: 'workflow',
  };
}

export const active = (target: FakeTarget) => target.tickets.filter((t) => !t.closed);

/** The ticket the workflow reports, in each place it reports it. */
async function reported(handle: WorkflowHandle) {
  const outcome = await handle.result();
  const { searchAttributes } = await handle.describe();
  const status = await handle.query(statusQuery);
  return {
    result: outcome.ticket?.number,
    incidentNumber: searchAttributes.IncidentNumber?.[0],
    status: status.ticket?.number,
  };
}

/** Exactly one active ticket, and the workflow reports that one everywhere. */
export async function expectOneReported(target: FakeTarget, handle: WorkflowHandle) {
  const where = await reported(handle);
  expect(active(target)).toHaveLength(1);
  const kept = active(target)[0].number;
  expect(where).toEqual({ result: kept, incidentNumber: kept, status: kept });
}
