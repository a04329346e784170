import { ROW_DELIVERY_BOUND_MS } from '../../src/contract';
import { eventPolicyFromEnv } from '../../src/settings/policy';

/*
 * Review s7 finding 6: the delivery bound is only the webhook's gRPC deadline; a signalWithStart can commit after
 * the client saw DEADLINE_EXCEEDED. A run that idles after one bound could close before that late commit starts a
 * run from a stale describe, so ROW_IDLE leaves a second bound of slack.
 */

test('when ROW_IDLE is one delivery bound, then the worker refuses it: a late-committed start needs slack', () => {
  expect(() => eventPolicyFromEnv({ ROW_IDLE: `${ROW_DELIVERY_BOUND_MS}ms` })).toThrow(
    `ROW_IDLE: must be at least ${2 * ROW_DELIVERY_BOUND_MS} ms`,
  );
});

test('when ROW_IDLE is twice the delivery bound, then it is taken', () => {
  expect(eventPolicyFromEnv({ ROW_IDLE: `${2 * ROW_DELIVERY_BOUND_MS}ms` }).rowIdleMs).toBe(2 * ROW_DELIVERY_BOUND_MS);
});
