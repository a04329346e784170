import type { Response } from 'express';

/**
 * Response bodies copied from real instances (shared/reference/servicenow-samples) and the
 * helpers that send them with the instance's exact Content-Type.
 */
export const JSON_CONTENT_TYPE = 'application/json;charset=UTF-8';

export interface ServiceNowErrorBody {
  error: { message: string; detail: string | null };
  status: 'failure';
}

export function errorBody(message: string, detail: string | null = null): ServiceNowErrorBody {
  return { error: { message, detail }, status: 'failure' };
}

export const NOT_AUTHENTICATED = errorBody('User Not Authenticated', 'Required to provide Auth information');
export const NO_RECORD_FOUND = errorBody(
  'No Record found',
  "Record doesn't exist or ACL restricts the record retrieval",
);
export const TRANSACTION_CANCELLED = errorBody('Transaction cancelled: maximum execution time exceeded');
export const UNKNOWN_RESOURCE = errorBody('Requested URI does not represent any resource');
export const OAUTH_ACCESS_DENIED = { error_description: 'access_denied', error: 'server_error' };

export function invalidTable(table: string): ServiceNowErrorBody {
  return errorBody(`Invalid table ${table}`);
}

export function rateLimitExceeded(perHour: number): ServiceNowErrorBody {
  return errorBody('Rate limit exceeded', `Rate limit of ${perHour} requests per hour for Table API exceeded`);
}

/** Writes the body by hand: express's res.json would rewrite the header to `application/json; charset=utf-8`. */
export function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).setHeader('Content-Type', JSON_CONTENT_TYPE);
  res.end(JSON.stringify(body));
}

export function sendUnauthenticated(res: Response): void {
  res.setHeader('WWW-Authenticate', 'BASIC realm="Service-now"');
  sendJson(res, 401, NOT_AUTHENTICATED);
}

const HIBERNATING_PAGE = `<!DOCTYPE html>
<html><head><title>Instance Hibernating page</title></head>
<body class="instance-hibernating-page">
<div class="container"><h1>Your instance is hibernating</h1>
<p>Developer instances hibernate when they are not in use. Sign in to the developer portal to wake it up.</p></div>
</body></html>
`;

export function sendHibernatingPage(res: Response, status: number): void {
  res.status(status).setHeader('Content-Type', 'text/html;charset=UTF-8');
  res.end(HIBERNATING_PAGE);
}

const STATUS_TEXT: Record<number, string> = { 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

/** What the instance itself answers for an injected 4xx: the real JSON error bodies. */
const INJECTED_CLIENT_ERRORS: Record<number, ServiceNowErrorBody> = {
  400: errorBody('Exception while reading request', 'The request was rejected by the instance'),
  403: errorBody('Operation Failed', 'Error during insert of incident'),
  404: NO_RECORD_FOUND,
};

/**
 * 4xx come from the instance as JSON; 500 carries the quota-rule message real instances send;
 * 502/503/504 get the bare HTML page a load balancer answers with, so clients must cope with it.
 */
export function sendInjectedError(res: Response, status: number): void {
  if (status === 401) return sendUnauthenticated(res);
  if (status >= 400 && status < 500)
    return sendJson(res, status, INJECTED_CLIENT_ERRORS[status] ?? errorBody('Bad Request'));
  if (status === 500) return sendJson(res, 500, TRANSACTION_CANCELLED);
  const text = STATUS_TEXT[status] ?? 'Error';
  res.status(status).setHeader('Content-Type', 'text/html;charset=UTF-8');
  res.end(`<html><head><title>${status} ${text}</title></head><body><h1>${status} ${text}</h1></body></html>\n`);
}

/** The rule every simulated limit reports; real instances send the sys_id of their sys_rate_limit_rules row. */
export const RATE_LIMIT_RULE_SYS_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

export interface RateLimitHeaders {
  limit: number;
  resetEpochSec: number;
}

export function setRateLimitHeaders(res: Response, headers: RateLimitHeaders): void {
  res.setHeader('X-RateLimit-Limit', String(headers.limit));
  res.setHeader('X-RateLimit-Reset', String(headers.resetEpochSec));
  res.setHeader('X-RateLimit-Rule', RATE_LIMIT_RULE_SYS_ID);
}

export function sendRateLimited(res: Response, headers: RateLimitHeaders & { retryAfterSec: number }): void {
  setRateLimitHeaders(res, headers);
  res.setHeader('Retry-After', String(Math.max(0, Math.ceil(headers.retryAfterSec))));
  sendJson(res, 429, rateLimitExceeded(headers.limit));
}
