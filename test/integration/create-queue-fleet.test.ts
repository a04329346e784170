import { warningOfCreatesOffTicketingQueue } from '../../src/activities';
import { singleTicketWorkflow } from '../../src/workflows';
import { createLogger } from '../../src/logging';
import { active, eventInput, expectOneReported } from '../helpers/create-harness';
import { activitiesWithFake, FakeTarget } from '../helpers/fake-target';
import { createQueueWorkers } from '../helpers/queue-workers';
import { eventually } from '../helpers/stack';
import { connectTestTemporal, testWorkflowBundle, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';

/**
 * A fleet whose workers differ while a create runs on the workflow's queue (the create queue's review, finding 1: a
 * rolling restart that sets TICKET_RATE_LIMIT_PER_SECOND, or workers of an older version): each attempt is the same
 * activity's, so the one after a possible write looks its ticket up, whichever worker runs it.
 */
let temporal: TestTemporal;
beforeAll(async () => {
  temporal = await connectTestTemporal();
});
afterAll(async () => temporal?.close());

test('when an unlimited worker stops after an attempt whose answer was lost, then the rate-limited one that runs the next attempt reuses its ticket', async () => {
  const target = new FakeTarget();
  target.lostAnswers = 1;
  const taskQueue = uniqueTaskQueue('create-fleet');
  const workflowBundle = await testWorkflowBundle();
  const base = { connection: temporal.nativeConnection, namespace: 'default', taskQueue, workflowBundle };
  const slowRetry = { initialIntervalMs: 8_000, backoffCoefficient: 1, maximumIntervalMs: 8_000, maximumAttempts: 3 };
  const input = eventInput({ policy: { ticketRetry: slowRetry } });
  const start = () =>
    temporal.client.workflow.start(singleTicketWorkflow, {
      taskQueue,
      workflowId: `fleet-${input.event.eventId}`,
      args: [input],
    });

  const unlimited = await createQueueWorkers({
    ...base,
    activities: activitiesWithFake(target),
    shutdownGraceTime: 1_000,
  });
  const handle = await unlimited.runUntil(
    (async () => {
      const started = await start();
      await eventually(() => (target.calls.includes('create') ? true : undefined), { what: 'attempt 1 sent' });
      return started;
    })(),
  );
  const logger = createLogger({ level: 'silent' });
  const activities = warningOfCreatesOffTicketingQueue(activitiesWithFake(target), logger);
  const limited = await createQueueWorkers({ ...base, activities, shutdownGraceTime: 1_000 });
  await limited.runUntil(
    (async () => {
      await handle.result();
      expect(active(target)).toHaveLength(1);
      await expectOneReported(target, handle);
    })(),
  );
  expect(target.calls.filter((call) => call === 'create')).toHaveLength(1);
}, 90_000);
