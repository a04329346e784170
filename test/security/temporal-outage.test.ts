import { startApi, type RunningApi } from '../../src/api/server';
import { loadWebhookSettings } from '../../src/settings/webhook';
import { deliverLikeHasura, hasuraEventBody } from '../helpers/hasura';
import { eventually } from '../helpers/stack';
import { connectTestTemporal, testTemporalAddress, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { capturedLogger } from './log-capture';
import { startSwitchableProxy, type SwitchableProxy } from './tcp-proxy';

const SECRET = 'outage-test-secret';
const capture = capturedLogger();
let proxy: SwitchableProxy;
let api: RunningApi;
let temporal: TestTemporal;

beforeAll(async () => {
  proxy = await startSwitchableProxy(testTemporalAddress());
  temporal = await connectTestTemporal();
  // The webhook reaches Temporal only through the proxy; no worker is needed to prove an event was accepted.
  const env = {
    TEMPORAL_ADDRESS: proxy.address,
    TEMPORAL_TASK_QUEUE: uniqueTaskQueue('outage'),
    HOST: '127.0.0.1',
    PORT: '0',
    WEBHOOK_SECRET: SECRET,
    WEBHOOK_RETRY_AFTER_SECONDS: '1',
  };
  api = await startApi(loadWebhookSettings(env), { logger: capture.logger });
});
afterAll(async () => {
  await api?.close();
  await proxy?.close();
  await temporal?.close();
});

const unavailableAnswers = () =>
  capture.lines().filter((line) => line.msg === 'Temporal unavailable; asking Hasura to retry').length;

test("when Temporal is unreachable, then 503 with Retry-After, and once it is back the deliverer's retries land every event exactly once", async () => {
  const warmUp = await deliverLikeHasura(hasuraEventBody(), { url: `${api.url}/hasura/events`, secret: SECRET });
  expect(warmUp.delivered).toBe(true);

  proxy.setReachable(false);
  const bodies = Array.from({ length: 5 }, () => hasuraEventBody());
  // Hasura's own retries exhausted at once (numRetries 0): only Retry-After keeps each delivery alive.
  const deliveries = Promise.all(
    bodies.map((body) =>
      deliverLikeHasura(body, { url: `${api.url}/hasura/events`, secret: SECRET, numRetries: 0, timeoutSec: 30 }),
    ),
  );
  await eventually(() => (unavailableAnswers() >= bodies.length ? true : undefined), {
    what: 'a 503 for every event',
    timeoutMs: 30_000,
  });
  proxy.setReachable(true);
  const results = await deliveries;

  expect(proxy.refusedConnections()).toBeGreaterThan(0);
  for (const result of results) {
    expect(result.delivered).toBe(true);
    expect(result.attempts[0]).toMatchObject({
      status: 503,
      retryAfter: 1,
      body: { error: 'temporal_unavailable', message: 'event not accepted; retry later' },
    });
    expect(result.attempts.at(-1)).toMatchObject({ status: 200, body: { accepted: true } });
  }
  const workflowIds = results.map((result) => (result.attempts.at(-1)!.body as { workflowId: string }).workflowId);
  const descriptions = await Promise.all(
    workflowIds.map((workflowId) => temporal.client.workflow.getHandle(workflowId).describe()),
  );
  expect(descriptions.map((description) => description.status.name)).toEqual(bodies.map(() => 'RUNNING'));
  expect(new Set(descriptions.map((description) => description.runId)).size).toBe(bodies.length);
  expect(descriptions.map((description) => description.searchAttributes.HasuraEventId?.[0])).toEqual(
    bodies.map((body) => body.id),
  );
}, 90_000);
