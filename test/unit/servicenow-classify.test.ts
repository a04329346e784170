import {
  TicketAuthError,
  TicketError,
  TicketNotFoundError,
  TicketRateLimitedError,
  TicketUnavailableError,
  TicketValidationError,
} from '../../src/ticketing/errors';
import { classifyNetworkError } from '../../src/ticketing/http';
import { classifyResponse, SERVICENOW } from '../../src/ticketing/servicenow/classify';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const JSON_TYPE = { 'content-type': 'application/json;charset=UTF-8' };

// Bodies verbatim from the shared reference servicenow-samples (PDI captures and docs).
const INVALID_TABLE = '{"error":{"message":"Invalid table ss","detail":null},"status":"failure"}';
const NOT_AUTHENTICATED =
  '{"error":{"detail":"Required to provide Auth information","message":"User Not Authenticated"},"status":"failure"}';
const OPERATION_FAILED =
  '{"error":{"detail":"Error during insert of incident (2135483521432)","message":"Operation Failed"},"status":"failure"}';
const NO_RECORD =
  '{"error":{"detail":"Record doesn\'t exist or ACL restricts the record retrieval","message":"No Record found"},"status":"failure"}';
const RATE_LIMITED = `{
    "error": {
        "message": "Rate limit exceeded",
        "detail": "Rate limit of 100 requests per hour for Table API exceeded"
    },
    "status": "failure"
}`;
const ACL_DENIED =
  '{"error":{"message":"ACL Exception Insert Failed due to security constraints","detail":null},"status":"failure"}';
const DATA_POLICY =
  '{"error":{"message":"Data Policy Exception: \\n The following fields are mandatory: Resolution code","detail":null},"status":"failure"}';
const EXECUTION_TIME =
  '{"error":{"message":"Transaction cancelled: maximum execution time exceeded","detail":null},"status":"failure"}';
const OAUTH_DENIED = '{"error_description":"access_denied","error":"server_error"}';
const HIBERNATING = `<!DOCTYPE html><html><head><title>Instance Hibernating page</title></head>
<body class="instance-hibernating-page"><h1>Your instance is hibernating</h1></body></html>`;

interface Row {
  when: string;
  status: number;
  body: string;
  headers?: Record<string, string>;
  kind: new (...args: never[]) => TicketError;
  retryAfterMs?: number;
  mentions: string[];
}

const rows: Row[] = [
  {
    when: '400 Invalid table',
    status: 400,
    body: INVALID_TABLE,
    kind: TicketValidationError,
    mentions: ['Invalid table ss'],
  },
  {
    when: '401 User Not Authenticated',
    status: 401,
    body: NOT_AUTHENTICATED,
    headers: { 'www-authenticate': 'BASIC realm="Service-now"' },
    kind: TicketAuthError,
    mentions: ['User Not Authenticated', 'Required to provide Auth information'],
  },
  {
    when: '401 from the OAuth endpoint',
    status: 401,
    body: OAUTH_DENIED,
    kind: TicketAuthError,
    mentions: ['access_denied'],
  },
  {
    when: '403 Operation Failed',
    status: 403,
    body: OPERATION_FAILED,
    kind: TicketValidationError,
    mentions: ['Operation Failed', 'Error during insert of incident (2135483521432)'],
  },
  {
    when: '403 Data Policy Exception',
    status: 403,
    body: DATA_POLICY,
    kind: TicketValidationError,
    mentions: ['Resolution code'],
  },
  {
    when: '403 ACL Exception',
    status: 403,
    body: ACL_DENIED,
    kind: TicketAuthError,
    mentions: ['security constraints'],
  },
  {
    when: '404 No Record found',
    status: 404,
    body: NO_RECORD,
    kind: TicketNotFoundError,
    mentions: ['No Record found', 'ACL restricts the record retrieval'],
  },
  {
    when: '429 with Retry-After and X-RateLimit-Reset',
    status: 429,
    body: RATE_LIMITED,
    headers: { 'retry-after': '17', 'x-ratelimit-reset': String(NOW / 1000 + 900) },
    kind: TicketRateLimitedError,
    retryAfterMs: 17_000,
    mentions: ['Rate limit exceeded', 'Rate limit of 100 requests per hour for Table API exceeded'],
  },
  {
    when: '429 with only X-RateLimit-Reset',
    status: 429,
    body: RATE_LIMITED,
    headers: { 'x-ratelimit-reset': String(NOW / 1000 + 120), 'x-ratelimit-limit': '100' },
    kind: TicketRateLimitedError,
    retryAfterMs: 120_000,
    mentions: ['Rate limit exceeded'],
  },
  {
    when: '429 without timing headers',
    status: 429,
    body: RATE_LIMITED,
    kind: TicketRateLimitedError,
    retryAfterMs: 60_000,
    mentions: [],
  },
  {
    when: '500 maximum execution time exceeded',
    status: 500,
    body: EXECUTION_TIME,
    kind: TicketUnavailableError,
    mentions: ['Transaction cancelled: maximum execution time exceeded'],
  },
  {
    when: '500 with a plain-text body',
    status: 500,
    body: 'Internal Server Error',
    kind: TicketUnavailableError,
    mentions: ['Internal Server Error'],
  },
  { when: '502 gateway error', status: 502, body: '', kind: TicketUnavailableError, mentions: ['502'] },
  {
    when: '503 with Retry-After',
    status: 503,
    body: '',
    headers: { 'retry-after': '5' },
    kind: TicketUnavailableError,
    retryAfterMs: 5000,
    mentions: ['503'],
  },
  { when: '504 gateway timeout', status: 504, body: '', kind: TicketUnavailableError, mentions: ['504'] },
  { when: '408 request timeout', status: 408, body: '', kind: TicketUnavailableError, mentions: ['408'] },
  {
    when: 'the hibernation page on 200',
    status: 200,
    body: HIBERNATING,
    headers: { 'content-type': 'text/html' },
    kind: TicketUnavailableError,
    retryAfterMs: 300_000,
    mentions: ['hibernating', 'developer portal'],
  },
  {
    when: 'the hibernation page on 503 labelled as JSON',
    status: 503,
    body: HIBERNATING,
    kind: TicketUnavailableError,
    retryAfterMs: 300_000,
    mentions: ['hibernating'],
  },
];

describe('classifyResponse', () => {
  it.each(rows)('when ServiceNow answers $when, then it is the matching TicketError', (row) => {
    const headers = { ...JSON_TYPE, ...row.headers };
    const error = classifyResponse({ status: row.status, headers, bodyText: row.body, now: NOW });

    expect(error).toBeInstanceOf(row.kind);
    expect(error?.status).toBe(row.status);
    expect(error?.retryAfterMs).toBe(row.retryAfterMs);
    for (const text of row.mentions) expect(error?.message).toContain(text);
  });

  it('when the answer is 200 or 201 JSON, then it is not an error', () => {
    expect(classifyResponse({ status: 200, headers: JSON_TYPE, bodyText: '{"result":[]}', now: NOW })).toBeUndefined();
    expect(classifyResponse({ status: 201, headers: JSON_TYPE, bodyText: '{"result":{}}', now: NOW })).toBeUndefined();
  });

  it('when a login page arrives instead of JSON, then it is unavailable for five minutes, not hibernation', () => {
    const bodyText = '<html><head><title>Log in | ServiceNow</title></head></html>';
    const error = classifyResponse({ status: 200, headers: {}, bodyText, now: NOW });

    expect(error).toBeInstanceOf(TicketUnavailableError);
    expect(error?.retryAfterMs).toBe(300_000);
    expect(error?.message).not.toContain('hibernating');
    expect(error?.message).toContain('HTML');
  });

  it('when a gateway answers 502 with its own HTML page, then it is an ordinary unavailable named by its title', () => {
    const bodyText = '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>';
    const error = classifyResponse({ status: 502, headers: { 'content-type': 'text/html' }, bodyText, now: NOW });

    expect(error).toBeInstanceOf(TicketUnavailableError);
    expect(error?.retryAfterMs).toBeUndefined();
    expect(error?.message).toBe('ServiceNow answered 502: 502 Bad Gateway');
  });

  it('when X-RateLimit-Reset lies in the past, then the wait is zero rather than negative', () => {
    const headers = { 'x-ratelimit-reset': String(NOW / 1000 - 30) };
    const error = classifyResponse({ status: 429, headers, bodyText: RATE_LIMITED, now: NOW });

    expect(error?.retryAfterMs).toBe(0);
  });
});

describe('classifyNetworkError', () => {
  it('when the connection is refused, then it is unavailable and names the code', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const error = classifyNetworkError(SERVICENOW, refused);

    expect(error).toBeInstanceOf(TicketUnavailableError);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.cause).toBe(refused);
  });

  it('when the request timed out or was aborted, then it is unavailable and says which', () => {
    const timedOut = classifyNetworkError(SERVICENOW, new DOMException('The operation timed out', 'TimeoutError'));
    const aborted = classifyNetworkError(SERVICENOW, new DOMException('This operation was aborted', 'AbortError'));

    expect(timedOut).toBeInstanceOf(TicketUnavailableError);
    expect(timedOut.message).toContain('timed out');
    expect(aborted).toBeInstanceOf(TicketUnavailableError);
    expect(aborted.message).toContain('aborted');
  });

  it('when the error is already a TicketError, then it is passed through', () => {
    const original = new TicketAuthError('refused');

    expect(classifyNetworkError(SERVICENOW, original)).toBe(original);
  });
});
