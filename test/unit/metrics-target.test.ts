import type { Context } from '@temporalio/activity';
import { createWorkerMetrics } from '../../src/metrics/worker-metrics';

/** The activity interceptor alone, as the worker calls it: an activity type, its input, its result. */
async function countCall(activityType: string, args: unknown[], result: unknown) {
  const metrics = createWorkerMetrics();
  const [factory] = metrics.interceptors({ target: 'servicenow' }).activity ?? [];
  const { inbound } = factory({ info: { activityType } } as unknown as Context);
  await inbound!.execute!({ args, headers: {} }, async () => result);
  const counted = await metrics.registry.getSingleMetric('incident_bridge_ticket_operations_total')!.get();
  return counted.values.map((v) => v.labels.target);
}

test('when createEventTicket succeeds for a trigger on another target, then it counts under the target its result names', async () => {
  expect(await countCall('createEventTicket', [{ event: {} }], { target: 'jira', ticket: {} })).toEqual(['jira']);
});

test('when an activity names its target in its input, then that one counts, whatever its result says', async () => {
  expect(await countCall('createTicket', [{ target: 'rest' }], { target: 'jira' })).toEqual(['rest']);
});

test('when neither names one, then the default target counts', async () => {
  expect(await countCall('logFailure', [{}], undefined)).toEqual(['servicenow']);
});
