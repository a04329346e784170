import { ApplicationFailure } from '@temporalio/common';
import type { FailureDetails } from '../contract';
import { TicketError, isPermanent } from '../ticketing/errors';
import { MappingError } from '../mapping/mapper';

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
  if (error instanceof MappingError) {
    const details: FailureDetails = { attempt: context.attempt, kind: 'mapping' };
    return ApplicationFailure.create({
      message: error.message,
      type: 'MappingError',
      nonRetryable: true,
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

// Answers that prove the server did not store the request: it refused it before processing
// (4xx, rate limit), a gateway answered for it, or the connection was never made.
const NOT_WRITTEN_STATUSES = new Set([400, 401, 403, 404, 408, 429, 502, 503, 504]);

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
