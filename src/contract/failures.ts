/** How a failed activity reads to the workflow. Pure: the workflow lists these, src/activities decides them. */

/** What the workflow reads back from a failed activity's details (ApplicationFailure.details[0]). */
export interface FailureDetails {
  attempt: number;
  kind: string;
  status?: number;
}

/**
 * Failure types Temporal must never retry: the activities' `nonRetryableErrorTypes`. They are the
 * class names of src/ticketing/errors.ts's permanent ticket errors, the mapping's MappingError, and a row image
 * too large for a row workflow (RowImageTooLargeError).
 */
export const PERMANENT_ERROR_TYPES = [
  'TicketValidationError',
  'TicketAuthError',
  'TicketNotFoundError',
  'TicketConflictError',
  'MappingError',
  'RowImageTooLargeError',
] as const;
