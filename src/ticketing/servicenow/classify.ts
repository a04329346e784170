import {
  TicketAuthError,
  TicketNotFoundError,
  TicketRateLimitedError,
  TicketUnavailableError,
  TicketValidationError,
  type TicketError,
} from '../errors';
import { DEFAULT_RATE_LIMIT_RETRY_MS, headerValue, retryAfterMs, type HttpAnswer } from '../http';

/** How ServiceNow is named in error messages. */
export const SERVICENOW = 'ServiceNow';
export const HIBERNATION_RETRY_MS = 5 * 60_000;

const HIBERNATION_MARKERS = /instance-hibernating-page|Instance Hibernating page|instance is hibernating/i;
const EXECUTION_TIME_EXCEEDED = /maximum execution time exceeded/i;
const ACL_DENIAL = /ACL Exception|security constraints/i;

/** The one place that decides what a ServiceNow answer means for the retry policy. */
export function classifyResponse(response: HttpAnswer): TicketError | undefined {
  const { status } = response;
  const isTransientStatus = status === 408 || status >= 500;
  const isHtml = looksLikeHtml(response);
  if (isHtml && (HIBERNATION_MARKERS.test(response.bodyText) || !isTransientStatus)) return htmlAnswer(response);
  if (status >= 200 && status < 300) return undefined;

  const { message, detail } = parseErrorBody(response.bodyText);
  const text = `ServiceNow answered ${status}: ${message}${detail ? ` (${detail})` : ''}`;
  const options = { status, detail };
  if (EXECUTION_TIME_EXCEEDED.test(`${message} ${detail ?? ''}`)) return new TicketUnavailableError(text, options);
  if (status === 401) return new TicketAuthError(text, options);
  if (status === 403) {
    const denied = ACL_DENIAL.test(`${message} ${detail ?? ''}`);
    return denied ? new TicketAuthError(text, options) : new TicketValidationError(text, options);
  }
  if (status === 404) return new TicketNotFoundError(text, options);
  if (status === 429) return new TicketRateLimitedError(text, { ...options, retryAfterMs: rateLimitWait(response) });
  if (isTransientStatus) {
    return new TicketUnavailableError(text, { ...options, retryAfterMs: retryAfterMs(response) });
  }
  if (status >= 400) return new TicketValidationError(text, options);
  return new TicketUnavailableError(`ServiceNow answered an unexpected HTTP ${status}`, options);
}

function looksLikeHtml({ headers, bodyText }: HttpAnswer): boolean {
  const contentType = String(headers['content-type'] ?? '');
  return /text\/html/i.test(contentType) || /^\s*</.test(bodyText);
}

/**
 * A hibernating developer instance answers with an HTML page, often on 200; so does a proxy or SSO page.
 * Either way the instance is not serving the API: retry slowly. (A gateway's HTML 5xx is an ordinary 5xx.)
 */
function htmlAnswer({ status, bodyText }: HttpAnswer): TicketUnavailableError {
  const options = { status, retryAfterMs: HIBERNATION_RETRY_MS };
  if (HIBERNATION_MARKERS.test(bodyText)) {
    return new TicketUnavailableError('ServiceNow instance is hibernating; wake it from the developer portal', options);
  }
  return new TicketUnavailableError(`ServiceNow answered ${status} with an HTML page instead of JSON`, options);
}

/**
 * Table API errors are `{"error":{"message","detail"},"status":"failure"}`; the OAuth endpoint answers
 * `{"error":"server_error","error_description":"access_denied"}`. An HTML page is named by its title;
 * anything else is reported verbatim, shortened.
 */
function parseErrorBody(bodyText: string): { message: string; detail?: string } {
  try {
    const body = JSON.parse(bodyText) as { error?: unknown; error_description?: unknown };
    if (body.error && typeof body.error === 'object') {
      const { message, detail } = body.error as { message?: unknown; detail?: unknown };
      return { message: String(message ?? 'no message'), detail: typeof detail === 'string' ? detail : undefined };
    }
    if (typeof body.error === 'string') {
      const description = typeof body.error_description === 'string' ? body.error_description : undefined;
      return { message: description ?? body.error, detail: description ? body.error : undefined };
    }
  } catch {
    // Not JSON: fall through to the raw text.
  }
  const title = /<title>([^<]*)<\/title>/i.exec(bodyText)?.[1];
  return { message: title?.trim() || bodyText.trim().slice(0, 200) || 'empty body' };
}

function rateLimitWait(response: HttpAnswer): number {
  const retryAfter = retryAfterMs(response);
  if (retryAfter !== undefined) return retryAfter;
  const reset = Number(headerValue(response, 'x-ratelimit-reset'));
  if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - response.now);
  return DEFAULT_RATE_LIMIT_RETRY_MS;
}
