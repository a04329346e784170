import { deliverLikeHasura, hasuraEventBody } from '../helpers/hasura';
import { eventually, startStack, TEST_SECRET, type Stack } from '../helpers/stack';
import { uniqueTaskQueue } from '../helpers/temporal';

/**
 * Issue 16's backlog drain in miniature: events queue up while ServiceNow is down, then it comes back
 * allowing exactly TICKET_RATE_LIMIT_PER_SECOND calls per window. Temporal's task-queue limiter alone let
 * bursts (its token bucket) and extra calls per activity through; the bridge must hold the limit itself.
 * Judged by the simulator's own counts: 429s and the most calls any of its windows counted.
 */
const RATE = 4;
const EVENTS = 12;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    env: {
      TICKETING_TASK_QUEUE: uniqueTaskQueue('drain'),
      TICKET_RATE_LIMIT_PER_SECOND: String(RATE),
      TICKET_CREATE_QUEUE: 'ticketing',
      // Enough attempts to outlast the outage; retries bunch up at recovery, which is the point.
      TICKET_RETRY_MAX_ATTEMPTS: '100',
    },
  });
}, 120_000);
afterAll(async () => stack?.close());

test('when a backlog drains at a rate equal to the API limit, then no window exceeds it and nothing gets a 429', async () => {
  const { simulator } = stack;
  simulator.setFaults({ outage: { forMs: 3_600_000 } });
  const bodies = Array.from({ length: EVENTS }, () => hasuraEventBody({ trigger: 'drain' }));
  await Promise.all(bodies.map((body) => deliverLikeHasura(body, { url: stack.webhookUrl, secret: TEST_SECRET })));
  await eventually(() => (Object.keys(simulator.stats().byCorrelation).length >= EVENTS ? true : undefined), {
    what: 'every event to meet the outage',
    timeoutMs: 60_000,
  });
  simulator.reset();
  simulator.setFaults({ rateLimit: { perHour: RATE, windowMs: 1000 } });
  await eventually(() => (simulator.stats().creates >= EVENTS ? true : undefined), {
    what: `${EVENTS} incidents after recovery`,
    timeoutMs: 90_000,
  });
  const stats = simulator.stats();
  expect({ rejected429: stats.byStatus['429'] ?? 0, withinLimit: stats.peakWindowCalls <= RATE }).toEqual({
    rejected429: 0,
    withinLimit: true,
  });
  expect(stats.peakWindowCalls).toBeGreaterThan(0);
  // One incident per event, and the retries' lookups went together (LookupBatcher), not one call each.
  expect(bodies.map((body) => simulator.countByCorrelation(`drain:${body.id}`))).toEqual(bodies.map(() => 1));
  console.log(`drain: ${stats.byMethod.GET ?? 0} lookup calls for ${EVENTS} events`);
  expect(stats.byMethod.GET ?? 0).toBeLessThan(EVENTS);
}, 180_000);
