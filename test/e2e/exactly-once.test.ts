import { correlationIdFor } from '../../src/contract';
import { deliverLikeHasura, hasuraEventBody } from '../helpers/hasura';
import { startStack, TEST_SECRET, type Stack } from '../helpers/stack';
import { connectTestTemporal, type TestTemporal } from '../helpers/temporal';

/**
 * Exactly one incident per event under each ServiceNow fault on its own, counted from the
 * simulator's records by correlation_id. Faults are scoped to each test's trigger.
 */
let stack: Stack;
let temporal: TestTemporal;
beforeAll(async () => {
  stack = await startStack({
    env: { TICKET_RETRY_MAX_ATTEMPTS: '40', SERVICENOW_REQUEST_TIMEOUT_MS: '1500', TICKET_ATTEMPT_TIMEOUT: '3s' },
  });
  temporal = await connectTestTemporal();
}, 120_000);
afterAll(async () => {
  await stack?.close();
  await temporal?.close();
});
afterEach(() => stack.simulator.setFaults({}));

async function deliverAndSettle(trigger: string, deliveries = 1) {
  const body = hasuraEventBody({ trigger });
  const results = await Promise.all(
    Array.from({ length: deliveries }, () => deliverLikeHasura(body, { url: stack.webhookUrl, secret: TEST_SECRET })),
  );
  const { workflowId } = results[0].attempts.at(-1)!.body as { workflowId: string };
  const outcome = await temporal.client.workflow.getHandle(workflowId).result();
  const correlationId = correlationIdFor(trigger, String(body.id));
  return {
    outcome,
    correlationId,
    active: () =>
      stack.simulator.records('incident').filter((r) => r.correlation_id === correlationId && r.state !== '8'),
  };
}

test('when the create is stored but its answer never comes (timeout after commit), then the retry finds it: one incident', async () => {
  stack.simulator.setFaults({ slowThenCommit: { count: 1 }, scope: { correlationIdPrefix: 'eo_slow:' } });
  const { outcome, active } = await deliverAndSettle('eo_slow');
  expect(outcome).toMatchObject({ status: 'created', reusedExisting: true });
  expect(active()).toHaveLength(1);
});

test('when two creates commit late (invisible until then) and the third attempt reuses the first, then the late check cancels the second: one incident, the reported one', async () => {
  // HTTP timeout 1.5 s < commit 2.5 s: attempt 1 (t=0) commits at 2.5 s, attempt 2 (≈1.7 s) at ≈4.2 s; attempt 3
  // (≈3.6 s) finds the first, and the late check (≈4.6 s) meets the second.
  stack.simulator.setFaults({
    delayedCommit: { count: 2, commitAfterMs: 2_500, answer: 'never' },
    scope: { correlationIdPrefix: 'eo_late:' },
  });
  const { outcome, active, correlationId } = await deliverAndSettle('eo_late');
  // On a loaded machine attempt 2 may start after attempt 1's commit and find it: then one create was sent, and
  // nothing is left to cancel. Every create sent beyond the first must have been cancelled.
  const created = stack.simulator.records('incident').filter((r) => r.correlation_id === correlationId);
  expect(created.length).toBeGreaterThanOrEqual(1);
  expect(outcome).toMatchObject({ status: 'created', reusedExisting: true, duplicatesCancelled: created.length - 1 });
  expect(active()).toHaveLength(1);
  expect(active()[0].number).toBe((outcome as { ticket: { number: string } }).ticket.number);
});

test('when a 429 storm hits, then the bridge waits as told and creates one incident', async () => {
  stack.simulator.setFaults({ storm429: { count: 4, retryAfterSec: 1 }, scope: { correlationIdPrefix: 'eo_storm:' } });
  const { outcome, active } = await deliverAndSettle('eo_storm');
  expect(outcome).toMatchObject({ status: 'created' });
  expect(active()).toHaveLength(1);
  expect(stack.simulator.stats().byStatus['429']).toBeGreaterThanOrEqual(4);
});

test('when a burst of 5xx hits, then one incident', async () => {
  stack.simulator.setFaults({
    errorRate: 1,
    errorStatuses: [500, 502, 503, 504],
    scope: { correlationIdPrefix: 'eo_5xx:' },
  });
  setTimeout(() => stack.simulator.setFaults({}), 2_000);
  const { outcome, active } = await deliverAndSettle('eo_5xx');
  expect(outcome).toMatchObject({ status: 'created' });
  expect(active()).toHaveLength(1);
});

test('when Hasura redelivers while a retry is in flight, then still one incident', async () => {
  stack.simulator.setFaults({ slowThenCommit: { count: 1 }, scope: { correlationIdPrefix: 'eo_race:' } });
  const { outcome, correlationId, active } = await deliverAndSettle('eo_race', 3);
  expect(outcome).toMatchObject({ status: 'created' });
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // past DUPLICATE_CHECK_DELAY
  expect(active()).toHaveLength(1);
  expect(stack.simulator.countByCorrelation(correlationId)).toBe(1);
});
