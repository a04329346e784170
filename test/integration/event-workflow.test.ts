import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { Notifier, FailureReport, NotifyChannel } from '../../src/notify';
import { TicketRateLimitedError, TicketUnavailableError, TicketValidationError } from '../../src/ticketing/errors';
import { abandonSignal, retrySignal, statusQuery } from '../../src/contract';
import { hasuraEventWorkflow } from '../../src/workflows';
import type { EventPolicy, EventWorkflowInput } from '../../src/contract';
import { createBridgeWorker } from '../../src/worker/create-worker';
import { activitiesWithFake, FakeTarget, FAST_TEST_POLICY } from '../helpers/fake-target';
import { eventually } from '../helpers/stack';
import { connectTestTemporal, testWorkflowBundle, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';

class RecordingNotifier implements Notifier {
  readonly sent: { channel: NotifyChannel; report: FailureReport }[] = [];
  channels(): NotifyChannel[] {
    return ['webhook'];
  }
  async send(channel: NotifyChannel, report: FailureReport) {
    this.sent.push({ channel, report });
    return 'sent' as const;
  }
  async close() {}
}

const FAST = FAST_TEST_POLICY;

let temporal: TestTemporal;
beforeAll(async () => {
  temporal = await connectTestTemporal();
});
afterAll(async () => temporal?.close());

interface Harness {
  target: FakeTarget;
  notifier: RecordingNotifier;
  worker: Worker;
  taskQueue: string;
}

async function withWorker(test: (h: Harness) => Promise<void>): Promise<void> {
  const target = new FakeTarget();
  const notifier = new RecordingNotifier();
  const taskQueue = uniqueTaskQueue('wf');
  const activities = activitiesWithFake(target, { notifier });
  const worker = await createBridgeWorker({
    connection: temporal.nativeConnection,
    namespace: 'default',
    taskQueue,
    activities,
    workflowBundle: await testWorkflowBundle(),
  });
  await worker.runUntil(test({ target, notifier, worker, taskQueue }));
}

function input(policy: Partial<EventPolicy> = FAST): EventWorkflowInput {
  const eventId = randomUUID();
  return {
    event: {
      eventId,
      trigger: 'tr',
      table: { schema: 'public', name: 'incident_request' },
      op: 'INSERT',
      // Hasura's created_at: now, without a zone (an old event would be looked up first).
      createdAt: new Date().toISOString().replace('Z', ''),
      data: { old: null, new: { id: 7, title: 'Disk full' } },
      sessionVariables: null,
    },
    correlationId: `tr:${eventId}`,
    policy,
  };
}

const start = (h: Harness, args: EventWorkflowInput) =>
  temporal.client.workflow.start(hasuraEventWorkflow, {
    taskQueue: h.taskQueue,
    workflowId: `test-${args.event.eventId}`,
    args: [args],
  });
const parked = (handle: { query: (q: typeof statusQuery) => Promise<{ state: string }> }) =>
  eventually(async () => ((await handle.query(statusQuery)).state === 'waiting-for-operator' ? true : undefined), {
    what: 'park',
  });

test('when the target accepts the ticket, then the workflow returns it after exactly one create call', async () => {
  await withWorker(async (h) => {
    const outcome = await (await start(h, input())).result();
    expect(outcome).toMatchObject({ status: 'created', ticket: { number: 'FAKE0001' }, reusedExisting: false });
    expect(h.target.calls).toEqual(['create']);
    expect(h.target.tickets[0].fields.short_description).toBe('incident_request insert: Disk full');
  });
});

test('when creates fail transiently, then retries look up first and the ticket is created once', async () => {
  await withWorker(async (h) => {
    h.target.createFailures = [new TicketUnavailableError('503'), new TicketUnavailableError('503')];
    const handle = await start(h, input());
    const outcome = await handle.result();
    expect(outcome).toMatchObject({ status: 'created', duplicatesCancelled: 0 });
    expect(h.target.calls).toEqual(['create', 'find', 'create', 'find', 'create', 'find']);
    expect((await handle.query(statusQuery)).attempts).toBe(3);
  });
});

test('when creates were refused outright (connection refused, 429), then retries create directly: one call per attempt, no late check', async () => {
  await withWorker(async (h) => {
    h.target.createFailures = [
      new TicketUnavailableError('unreachable', {
        cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }),
      }),
      new TicketRateLimitedError('429', { status: 429, retryAfterMs: 100 }),
    ];
    const outcome = await (await start(h, input())).result();
    expect(outcome).toMatchObject({ status: 'created', duplicatesCancelled: 0 });
    // Each retry creates directly; no attempt may have written, so no write can commit late: no check either.
    expect(h.target.calls).toEqual(['create', 'create', 'create']);
  });
});

test('when the server asks for Retry-After, then the next attempt waits at least that long', async () => {
  await withWorker(async (h) => {
    h.target.createFailures = [new TicketRateLimitedError('429', { retryAfterMs: 1_500 })];
    const started = Date.now();
    await (await start(h, input({ ...FAST, ticketRetry: { ...FAST.ticketRetry!, initialIntervalMs: 10 } }))).result();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
  });
});

test('when the error is permanent, then operators are notified once, the event parks, and a retry with overrides creates it', async () => {
  await withWorker(async (h) => {
    h.target.createFailures = [new TicketValidationError('Invalid urgency', { status: 400 })];
    const handle = await start(h, input());
    await parked(handle);
    const status = await handle.query(statusQuery);
    expect(status).toMatchObject({
      state: 'waiting-for-operator',
      attempts: 1,
      lastError: { message: 'Invalid urgency', type: 'TicketValidationError' },
    });
    // The park is visible to the query as soon as it is decided; its notification is the activity after it.
    await eventually(() => (h.notifier.sent.length > 0 ? true : undefined), { what: 'park notification' });
    expect(h.notifier.sent).toHaveLength(1);
    expect(h.notifier.sent[0].report).toMatchObject({
      outcome: 'parked',
      attempts: 1,
      webUiUrl: `http://ui.test/namespaces/default/workflows/${handle.workflowId}`,
    });
    await handle.signal(retrySignal, { overrides: { urgency: '2' } });
    expect(await handle.result()).toMatchObject({ status: 'created', reusedExisting: false });
    expect(h.target.tickets).toHaveLength(1);
    expect(h.target.tickets[0].fields.urgency).toBe('2');
    expect(h.notifier.sent).toHaveLength(1);
  });
});

test('when an override is invalid, then it is rejected and the event stays parked', async () => {
  await withWorker(async (h) => {
    h.target.createFailures = [new TicketValidationError('bad')];
    const handle = await start(h, input());
    await parked(handle);
    await handle.signal(retrySignal, { overrides: { 'bad key!': 'x' } });
    const status = await eventually(async () => {
      const s = await handle.query(statusQuery);
      return s.operatorNote ? s : undefined;
    });
    expect(status).toMatchObject({
      state: 'waiting-for-operator',
      operatorNote: expect.stringContaining('not a field name'),
    });
    await handle.signal(abandonSignal, { reason: 'test done' });
    expect(await handle.result()).toMatchObject({ status: 'abandoned', reason: 'test done', lastError: 'bad' });
  });
});

test('when nobody acts before the park deadline, then the workflow fails with the reason', async () => {
  await withWorker(async (h) => {
    h.target.createFailures = [new TicketValidationError('Invalid table')];
    const handle = await start(h, input({ ...FAST, parkTimeoutMs: 500 }));
    const error = await handle.result().catch((e) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(String(error.cause?.message)).toContain(
      'no operator action within the park deadline; last error: Invalid table',
    );
  });
});
