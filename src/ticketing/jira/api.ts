import { TicketValidationError, type TicketError } from '../errors';
import {
  bodySnippet,
  classifyStatus,
  parseOptionalJson,
  TargetHttp,
  type CallStats,
  type HttpAnswer,
  type HttpMethod,
} from '../http';
import type { JiraOptions } from './options';

export const JIRA = 'Jira';

export interface JiraCall {
  operation: string;
  method: HttpMethod;
  /** Below /rest/api/3, starting with '/'. */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal;
}

/** Jira Cloud REST v3 over one pooled connection set, basic auth (email + API token). */
export class JiraApi {
  readonly #http: TargetHttp;
  readonly #authorization: string;

  constructor(options: JiraOptions, requestsPerSecond?: number) {
    const { baseUrl, requestTimeoutMs } = options;
    const apiRoot = `${baseUrl}/rest/api/3`;
    this.#http = new TargetHttp({ system: JIRA, baseUrl: apiRoot, requestTimeoutMs, requestsPerSecond });
    this.#authorization = `Basic ${Buffer.from(`${options.email}:${options.apiToken.reveal()}`).toString('base64')}`;
  }

  /** The parsed JSON answer (undefined for 204), or the taxonomy error for a refusal. */
  async call(call: JiraCall): Promise<unknown> {
    const { path, ...rest } = call;
    const answer = await this.#http.send({ ...rest, url: path, headers: { authorization: this.#authorization } });
    if (answer.status < 200 || answer.status >= 300) throw jiraError(answer);
    return parseOptionalJson(answer, JIRA);
  }

  stats(): CallStats {
    return this.#http.stats();
  }

  close(): Promise<void> {
    return this.#http.close();
  }
}

/** Jira errors are `{"errorMessages": [...], "errors": {"field": "message"}}`; anything else is quoted. */
export function jiraError(answer: HttpAnswer): TicketError {
  return classifyStatus(answer, { system: JIRA, message: jiraErrorMessage(answer.bodyText) });
}

function jiraErrorMessage(bodyText: string): string {
  try {
    const body = JSON.parse(bodyText) as { errorMessages?: unknown; errors?: unknown };
    const messages = Array.isArray(body.errorMessages) ? body.errorMessages.map(String) : [];
    const fieldErrors = body.errors && typeof body.errors === 'object' ? Object.entries(body.errors) : [];
    const all = [...messages, ...fieldErrors.map(([field, message]) => `${field}: ${String(message)}`)];
    if (all.length > 0) return all.join('; ');
  } catch {
    // Not JSON (a proxy page, a bare 502): quote it.
  }
  return bodySnippet(bodyText);
}

/** Whether Jira refused the request for this field: its `errors: {field: message}`, as jiraErrorMessage joins them. */
export function refusesField(error: unknown, field: string): boolean {
  if (!(error instanceof TicketValidationError) || error.status !== 400) return false;
  return (error.detail ?? '').split('; ').some((part) => part.startsWith(`${field}: `));
}
