import type { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { TICKETING_QUEUE_REQUIRED } from '../../src/contract';
import { createWorkerMetrics } from '../../src/metrics/worker-metrics';

/** The activity interceptor alone, as the worker calls it: an activity type, its input, its result or failure. */
async function countCall(activityType: string, args: unknown[], result: unknown, failure?: Error) {
  const metrics = createWorkerMetrics();
  const [factory] = metrics.interceptors({ target: 'servicenow' }).activity ?? [];
  const { inbound } = factory({ info: { activityType } } as unknown as Context);
  const next = async () => {
    if (failure) throw failure;
    return result;
  };
  await inbound!.execute!({ args, headers: {} }, next).catch((error: unknown) => expect(error).toBe(failure));
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

test('when a rate-limited worker moves a create to the ticketing queue, then that refusal is no operation to count', async () => {
  const moved = ApplicationFailure.create({ type: TICKETING_QUEUE_REQUIRED, nonRetryable: true, message: 'moved' });
  const refused = ApplicationFailure.create({ type: 'TicketValidationError', nonRetryable: true, message: 'no' });
  expect(await countCall('createEventTicket', [{ event: {} }], undefined, moved)).toEqual([]);
  expect(await countCall('createEventTicket', [{ event: {} }], undefined, refused)).toEqual(['servicenow']);
});
