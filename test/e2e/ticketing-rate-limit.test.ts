import { deliverLikeHasura, hasuraEventBody } from '../helpers/hasura';
import { eventually, startStack, TEST_SECRET, type Stack } from '../helpers/stack';
import { uniqueTaskQueue } from '../helpers/temporal';

/**
 * TICKETING_TASK_QUEUE + TICKET_RATE_LIMIT_PER_SECOND: ticket calls run on their own queue, capped
 * per worker process (Temporal's worker limiter, and each target's RequestPacer). Checked from the simulator's own creation times (1 s resolution).
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    env: {
      TICKETING_TASK_QUEUE: uniqueTaskQueue('ticketing'),
      TICKET_RATE_LIMIT_PER_SECOND: '2',
      TICKET_CREATE_QUEUE: 'ticketing',
    },
  });
}, 120_000);
afterAll(async () => stack?.close());

test('when a burst arrives, then tickets are created on the ticketing queue no faster than its limit', async () => {
  const bodies = Array.from({ length: 8 }, () => hasuraEventBody({ trigger: 'rate_limited' }));
  await Promise.all(bodies.map((body) => deliverLikeHasura(body, { url: stack.webhookUrl, secret: TEST_SECRET })));
  const created = await eventually(
    () => {
      const records = stack.simulator.records('incident').filter((r) => r.correlation_id.startsWith('rate_limited:'));
      return records.length === bodies.length ? records : undefined;
    },
    { what: 'all incidents', timeoutMs: 60_000 },
  );
  // Temporal's limiter is a token bucket (burst = rate): any window of T seconds holds at most
  // rate × T + burst calls. Unlimited, all 8 creates land within the same second or two.
  const seconds = created.map((record) => Date.parse(`${record.sys_created_on.replace(' ', 'T')}Z`) / 1000);
  const span = Math.max(...seconds) - Math.min(...seconds);
  expect(span).toBeGreaterThanOrEqual((bodies.length - 2 * 2) / 2);
  const perSecond = new Map<number, number>();
  for (const second of seconds) perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
  expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(2 + 2);
});
