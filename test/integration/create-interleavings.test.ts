import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { retrySignal, statusQuery, type EventPolicy, type EventWorkflowInput } from '../../src/contract';
import { TicketUnavailableError, TicketValidationError } from '../../src/ticketing/errors';
import { hasuraEventWorkflow } from '../../src/workflows';
import { createBridgeWorker } from '../../src/worker/create-worker';
import { activitiesWithFake, afterCall, FakeTarget, FAST_TEST_POLICY, timedOut } from '../helpers/fake-target';
import { eventually } from '../helpers/stack';
import { connectTestTemporal, testWorkflowBundle, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';

/**
 * "Exactly one ticket, and the bridge reports the one that survives" under the create path's
 * interleavings (issue 11). The fake target stamps a create when it arrives and keeps it invisible
 * until a scripted later call, as a slow transaction on a real instance: no sleeps, no timing races.
 */
let temporal: TestTemporal;
beforeAll(async () => {
  temporal = await connectTestTemporal();
});
afterAll(async () => temporal?.close());

async function withWorker(test: (target: FakeTarget, taskQueue: string) => Promise<void>): Promise<void> {
  const target = new FakeTarget();
  const taskQueue = uniqueTaskQueue('interleave');
  const worker = await createBridgeWorker({
    connection: temporal.nativeConnection,
    namespace: 'default',
    taskQueue,
    activities: activitiesWithFake(target),
    workflowBundle: await testWorkflowBundle(),
    // A create left hanging by a reset run's predecessor is aborted at shutdown, not waited for.
    shutdownGraceTime: '1 second',
  });
  await worker.runUntil(test(target, taskQueue));
}

/** Hasura's created_at: the database's NOW() without a zone. */
const hasuraTime = (msAgo = 0) => new Date(Date.now() - msAgo).toISOString().replace('Z', '');

function input(options: { createdAt?: string; policy?: Partial<EventPolicy> } = {}): EventWorkflowInput {
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
  };
}

const start = (taskQueue: string, args: EventWorkflowInput) =>
  temporal.client.workflow.start(hasuraEventWorkflow, {
    taskQueue,
    workflowId: `interleave-${args.event.eventId}`,
    args: [args],
  });

const active = (target: FakeTarget) => target.tickets.filter((t) => !t.closed);

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
async function expectOneReported(target: FakeTarget, handle: WorkflowHandle) {
  const where = await reported(handle);
  expect(active(target)).toHaveLength(1);
  const kept = active(target)[0].number;
  expect(where).toEqual({ result: kept, incidentNumber: kept, status: kept });
}

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
      expect(await handle.result()).toMatchObject({ status: 'created', reusedExisting: true, duplicatesCancelled: 1 });
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
      await resetToFirstWorkflowTask(handle);
      const rerun = temporal.client.workflow.getHandle(handle.workflowId);
      expect(await rerun.result()).toMatchObject({ status: 'created', duplicatesCancelled: 1 });
      await expectOneReported(target, rerun);
    });
  });
});

/** The runbook's `temporal workflow reset --type FirstWorkflowTask`, through the API. */
async function resetToFirstWorkflowTask(handle: WorkflowHandle): Promise<void> {
  const { events } = await handle.fetchHistory();
  const firstTask = events?.find((e) => e.workflowTaskCompletedEventAttributes);
  await temporal.client.workflowService.resetWorkflowExecution({
    namespace: 'default',
    workflowExecution: { workflowId: handle.workflowId },
    reason: 'test: re-run while the old attempt is in flight',
    workflowTaskFinishEventId: firstTask!.eventId,
    requestId: randomUUID(),
  });
}

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
      expect(await handle.result()).toMatchObject({ status: 'created', reusedExisting: false, duplicatesCancelled: 0 });
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
