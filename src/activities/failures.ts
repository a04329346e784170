import { ApplicationFailure } from '@temporalio/common';
import type { FailureDetails, RetrySchedule } from '../contract';
import { TicketError, isPermanent } from '../ticketing/errors';
import { MappingError } from '../mapping/mapper';
import { RowImageTooLargeError } from '../mapping/row-images';
import { WriteBackError } from '../source/errors';
import { temporalRefusal } from '../starting/temporal-refusals';

export interface FailureContext {
  attempt: number;
}

/**
 * The one place that decides retryable vs permanent. Ticket errors keep their class name as the
 * failure type (listed in nonRetryableErrorTypes when permanent); server-requested waits become the
 * next retry delay so Temporal honours Retry-After instead of its own backoff.
 */
export function toApplicationFailure(error: unknown, context: FailureContext): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  if (error instanceof TicketError) {
    const details: FailureDetails = { attempt: context.attempt, kind: error.kind, status: error.status };
    return ApplicationFailure.create({
      message: error.message,
      type: error.name,
      nonRetryable: isPermanent(error),
      nextRetryDelay: error.retryAfterMs,
      details: [details],
    });
  }
  if (error instanceof MappingError || error instanceof RowImageTooLargeError) {
    // The event's own data: no retry can change it.
    const kind = error instanceof MappingError ? 'mapping' : 'rowImage';
    const details: FailureDetails = { attempt: context.attempt, kind };
    return ApplicationFailure.create({
      message: error.message,
      type: error.name,
      nonRetryable: true,
      details: [details],
    });
  }
  if (error instanceof WriteBackError) {
    // Classified by src/source/errors.ts (SQLSTATE, Hasura's codes); only the write-back is retried.
    const details: FailureDetails = { attempt: context.attempt, kind: 'writeBack' };
    return ApplicationFailure.create({
      message: error.message,
      type: 'WriteBackError',
      nonRetryable: error.permanent,
      details: [details],
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  const details: FailureDetails = { attempt: context.attempt, kind: 'unexpected' };
  return ApplicationFailure.create({
    message,
    type: error instanceof Error ? error.name : 'Error',
    details: [details],
  });
}

/** The delay before the retry after `attempt` failed, as Temporal computes it from the same schedule. */
function backoffMs({ initialIntervalMs, backoffCoefficient, maximumIntervalMs }: RetrySchedule, attempt: number) {
  return Math.min(maximumIntervalMs, initialIntervalMs * backoffCoefficient ** (attempt - 1));
}

/**
 * For an activity whose Temporal schedule is fixed in workflow code (unlimited attempts) and that holds the
 * worker's `schedule` itself: the next retry after the schedule's backoff (or the server's Retry-After), and
 * non-retryable on the schedule's last attempt, so the workflow gives up exactly where Temporal would have.
 */
export function underSchedule(
  failure: ApplicationFailure,
  attempt: number,
  schedule: RetrySchedule,
): ApplicationFailure {
  if (failure.nonRetryable) return failure;
  const last = attempt >= schedule.maximumAttempts;
  return ApplicationFailure.create({
    message: failure.message,
    type: failure.type ?? undefined,
    details: failure.details ? [...failure.details] : undefined,
    cause: failure.cause,
    nonRetryable: last,
    nextRetryDelay: last ? undefined : (failure.nextRetryDelay ?? backoffMs(schedule, attempt)),
  });
}

/**
 * An attempt past the schedule's last: the ones before it ended without a word of the activity (a dead worker's
 * heartbeat timeout), so Temporal retried them. Fails non-retryably before any call, as Temporal would have stopped.
 * A worker from before issue 16 polling the ticketing queue fails the activity as not registered, retryably, and
 * leaves no trace this attempt can read (Temporal gives an activity no earlier failure): the message names both.
 */
export function attemptsSpent(attempt: number, schedule: RetrySchedule): ApplicationFailure | undefined {
  const { maximumAttempts } = schedule;
  if (attempt <= maximumAttempts) return undefined;
  const details: FailureDetails = { attempt: maximumAttempts, kind: 'timeout' };
  const message =
    `all ${maximumAttempts} attempts ended without an answer: they timed out (a worker died or lost Temporal), ` +
    'or failed on a worker without createEventTicket (one from before issue 16 polling the ticketing queue)';
  return ApplicationFailure.create({ message, type: 'AttemptsSpent', nonRetryable: true, details: [details] });
}

/**
 * Statuses that prove the instance refused the create before processing it, so no ticket was stored.
 * Any other status (500, 502, 504, 408, an unknown one) may come after the write committed.
 */
const NOT_WRITTEN_STATUSES: ReadonlySet<number> = new Set([
  400, // the instance rejected the request body before any insert
  401, // authentication failed before the request reached the table
  403, // an ACL or data policy refused the insert; the transaction rolled back
  404, // the table or endpoint does not exist, so there was nothing to insert into
  429, // the rate limiter answers before the transaction starts
]);
// Not listed, so "may have written": 500 (a business rule can fail after the insert), 502 (the gateway lost
// the answer of a request it forwarded), 503 (a proxy such as Envoy answers it when its upstream resets
// after the request was forwarded), 504 (the gateway stopped waiting while the instance may still
// commit), 408 (proxies send it when their upstream is slow, not only for a slow client).

function causeCode(error: unknown, depth = 3): string | undefined {
  const { code, cause } = (error ?? {}) as { code?: unknown; cause?: unknown };
  if (typeof code === 'string') return code;
  return depth > 0 && cause ? causeCode(cause, depth - 1) : undefined;
}

/**
 * Whether a failed create may still have stored the ticket (a timeout, a reset mid-request, a 500):
 * only then must the next attempt look the ticket up before writing again.
 */
export function ticketMayExistAfter(error: unknown): boolean {
  if (!(error instanceof TicketError)) return true;
  if (error.status !== undefined && NOT_WRITTEN_STATUSES.has(error.status)) return false;
  return causeCode(error.cause) !== 'ECONNREFUSED';
}

/**
 * Whether a Temporal call that failed may pass when made again: Temporal away or overloaded, a busy workflow
 * (RESOURCE_EXHAUSTED, BUSY_WORKFLOW), a deadline — the answers the webhook gives 503 without a fix for, decided in
 * one place (src/starting/temporal-refusals.ts). A refusal an operator must fix, a missing workflow or a bug: never.
 */
export function temporalCallMayPass(error: unknown): boolean {
  // The namespace only words an operator's fix, which a passing call has none of.
  const refusal = temporalRefusal(error, '');
  return refusal !== undefined && refusal.fix === undefined;
}
