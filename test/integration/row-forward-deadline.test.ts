import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createLifecycleActivities } from '../../src/activities/lifecycle';
import { createEventRouter } from '../../src/starting/event-routing';
import { toWorkflowEvent } from '../../src/starting/event-starter';
import { hasuraEventSchema } from '../../src/hasura/event-schema';
import { createLogger } from '../../src/logging';
import { createEventMapper } from '../../src/mapping/mapper';
import { loadBridgeConfig } from '../../src/settings/file/load';
import { FakeTarget } from '../helpers/fake-target';
import { hasuraEventBody } from '../helpers/hasura';
import { freshRowIds, LIFECYCLE_TRIGGER } from '../helpers/row-lane';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { CORRELATION_ENV } from '../helpers/correlation';

/*
 * A forward whose attempt waited in the task queue longer than its start-to-close timeout (a backlog: 10 000
 * deliveries at once) still has its whole attempt to signal the row: Temporal's timeout counts from the start.
 */

let temporal: TestTemporal;
beforeAll(async () => {
  temporal = await connectTestTemporal();
});
afterAll(async () => temporal?.close());

const config = loadBridgeConfig({
  env: {
    ...{ SERVICENOW_INSTANCE_URL: 'http://127.0.0.1:9', SERVICENOW_USERNAME: 'u', SERVICENOW_PASSWORD: 'p' },
    ...CORRELATION_ENV,
  },
  path: path.resolve(__dirname, '..', 'fixtures', 'lifecycle.yaml'),
});

test('when a forward attempt starts long after it was scheduled, then it still signals the row workflow', async () => {
  const activities = createLifecycleActivities({
    targets: { servicenow: new FakeTarget() },
    config,
    mapper: createEventMapper(config),
    logger: createLogger({ level: 'silent' }),
    client: temporal.client,
  });
  const [id] = freshRowIds(1);
  const body = hasuraEventBody({ trigger: LIFECYCLE_TRIGGER, new: { id, title: 'queued' } });
  const event = toWorkflowEvent(hasuraEventSchema.parse({ ...body, created_at: '2026-11-27T10:00:00.100000' }));
  const route = createEventRouter(config)(event);
  if (route.kind !== 'row') throw new Error(`expected a row route, got ${route.kind}`);
  // No worker polls this queue: the row run only has to exist, holding the signal.
  const forward = { route, event, taskQueue: uniqueTaskQueue('no-worker') };
  const env = new MockActivityEnvironment({
    startToCloseTimeoutMs: 5_000,
    currentAttemptScheduledTimestampMs: Date.now() - 60_000,
  });
  await env.run(activities.forwardToRowWorkflow, forward);
  const handle = temporal.client.workflow.getHandle(route.rowWorkflowId);
  expect((await handle.describe()).status.name).toBe('RUNNING');
  await handle.terminate('test done');
});
