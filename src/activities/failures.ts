import { ApplicationFailure } from '@temporalio/common';
import { TicketError, isPermanent } from '../ticketing/errors';
import { MappingError } from '../mapping/mapper';

export interface FailureContext {
  attempt: number;
}

/** What the workflow reads back from a failed activity's details. */
export interface FailureDetails {
  attempt: number;
  kind: string;
  status?: number;
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
  if (error instanceof MappingError) {
    const details: FailureDetails = { attempt: context.attempt, kind: 'mapping' };
    return ApplicationFailure.create({ message: error.message, type: 'MappingError', nonRetryable: true, details: [details] });
  }
  const message = error instanceof Error ? error.message : String(error);
  const details: FailureDetails = { attempt: context.attempt, kind: 'unexpected' };
  return ApplicationFailure.create({ message, type: error instanceof Error ? error.name : 'Error', details: [details] });
}
