/**
 * The one error taxonomy every ticketing target speaks. Targets translate HTTP answers into these;
 * `src/activities/failures.ts` is the one place that turns them into Temporal retry decisions.
 */
export type TicketErrorKind = 'validation' | 'auth' | 'not-found' | 'rate-limited' | 'unavailable' | 'conflict';

export interface TicketErrorOptions {
  status?: number;
  /** Server-requested wait before the next attempt (Retry-After, X-RateLimit-Reset, hibernation). */
  retryAfterMs?: number;
  detail?: string;
  cause?: unknown;
}

export abstract class TicketError extends Error {
  abstract readonly kind: TicketErrorKind;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly detail?: string;

  constructor(message: string, options: TicketErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.detail = options.detail;
  }
}

/** The ticket data was refused (400, data policy, invalid reference): an operator must fix the data. */
export class TicketValidationError extends TicketError {
  readonly kind = 'validation';
}

/** Credentials were refused even after a token refresh, or the account lacks the role. */
export class TicketAuthError extends TicketError {
  readonly kind = 'auth';
}

/** The record or table does not exist (or an ACL hides it). */
export class TicketNotFoundError extends TicketError {
  readonly kind = 'not-found';
}

/** The target asked us to slow down; retry after `retryAfterMs`. */
export class TicketRateLimitedError extends TicketError {
  readonly kind = 'rate-limited';
}

/** Transient: 5xx, timeouts, connection errors, a hibernating instance. Retry with backoff. */
export class TicketUnavailableError extends TicketError {
  readonly kind = 'unavailable';
}

/** The ticket is in a state that forbids the operation (e.g. an update for a closed ticket). */
export class TicketConflictError extends TicketError {
  readonly kind = 'conflict';
}

// Their class names are the contract's PERMANENT_ERROR_TYPES, which workflows never retry.
const PERMANENT_KINDS: ReadonlySet<TicketErrorKind> = new Set(['validation', 'auth', 'not-found', 'conflict']);

export function isPermanent(error: TicketError): boolean {
  return PERMANENT_KINDS.has(error.kind);
}
