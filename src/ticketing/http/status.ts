import {
  TicketAuthError,
  TicketConflictError,
  TicketNotFoundError,
  TicketRateLimitedError,
  TicketUnavailableError,
  TicketValidationError,
  type TicketError,
} from '../errors';
import type { HttpAnswer } from './answer';
import { DEFAULT_RATE_LIMIT_RETRY_MS, retryAfterMs } from './retry-after';

/**
 * What a refused call means for the retry policy, for targets without status quirks of their own (Jira,
 * generic REST): 400/422 and other 4xx are the data's fault, 401/403 the credentials', 429 and 5xx are
 * worth retrying.
 */
export function classifyStatus(answer: HttpAnswer, context: { system: string; message: string }): TicketError {
  const { status } = answer;
  const text = `${context.system} answered ${status}: ${context.message}`;
  const options = { status, detail: context.message };
  if (status === 401 || status === 403) return new TicketAuthError(text, options);
  if (status === 404) return new TicketNotFoundError(text, options);
  if (status === 409) return new TicketConflictError(text, options);
  if (status === 429) {
    const wait = retryAfterMs(answer) ?? DEFAULT_RATE_LIMIT_RETRY_MS;
    return new TicketRateLimitedError(text, { ...options, retryAfterMs: wait });
  }
  if (status === 408 || status >= 500) {
    return new TicketUnavailableError(text, { ...options, retryAfterMs: retryAfterMs(answer) });
  }
  if (status >= 400) return new TicketValidationError(text, options);
  return new TicketUnavailableError(`${context.system} answered an unexpected HTTP ${status}`, options);
}

/** A short, single-line rendering of an error body that is not in a known shape. */
export function bodySnippet(bodyText: string): string {
  return bodyText.replace(/\s+/g, ' ').trim().slice(0, 200) || 'empty body';
}
