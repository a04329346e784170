import { ApplicationFailure } from '@temporalio/common';
import { attemptsSpent, underSchedule } from '../../src/activities/failures';

/** createEventTicket holds the worker's retry schedule itself; Temporal's (fixed in workflow code) never stops. */
const schedule = { initialIntervalMs: 2_000, backoffCoefficient: 2, maximumIntervalMs: 5_000, maximumAttempts: 4 };
const retryable = (nextRetryDelay?: number) =>
  ApplicationFailure.create({ message: 'answered 503', type: 'TicketUnavailableError', nextRetryDelay, details: [{}] });

test('when an attempt before the last fails, then the next retry waits the schedule backoff, capped', () => {
  expect([1, 2, 3].map((attempt) => underSchedule(retryable(), attempt, schedule).nextRetryDelay)).toEqual([
    2_000, 4_000, 5_000,
  ]);
  expect(underSchedule(retryable(), 3, schedule).nonRetryable).toBe(false);
});

test('when the server asked for a wait (Retry-After), then it wins over the backoff', () => {
  expect(underSchedule(retryable(30_000), 1, schedule).nextRetryDelay).toBe(30_000);
});

test("when the schedule's last attempt fails, then the failure is non-retryable with its type and details kept", () => {
  const last = underSchedule(retryable(), 4, schedule);
  expect(last).toMatchObject({ nonRetryable: true, type: 'TicketUnavailableError', message: 'answered 503' });
  expect(last.details).toEqual([{}]);
});

test('when a failure is permanent already, then it is kept as it is', () => {
  const permanent = ApplicationFailure.nonRetryable('Invalid urgency', 'TicketValidationError');
  expect(underSchedule(permanent, 1, schedule)).toBe(permanent);
});

test('when an attempt starts past the last (earlier ones timed out unseen), then it fails non-retryably at once', () => {
  expect(attemptsSpent(4, schedule)).toBeUndefined();
  expect(attemptsSpent(5, schedule)).toMatchObject({
    nonRetryable: true,
    type: 'AttemptsSpent',
    details: [{ attempt: 4 }],
  });
});

test('when an attempt starts past the last, then the message names both causes it cannot tell apart (review of issue 16, F4)', () => {
  // A worker from before issue 16 polling <queue>-ticketing fails createEventTicket as not registered, retryably:
  // those attempts count too, and no heartbeat or failure of theirs reaches this attempt.
  expect(attemptsSpent(5, schedule)?.message).toMatch(/timed out.*or failed on a worker without createEventTicket/);
});
