import { TicketUnavailableError, type TicketError } from '../errors';
import { bodySnippet, classifyStatus } from '../rest/classify';
import { JsonHttp, type HttpAnswer } from '../rest/http';
import type { RestMethod } from '../rest/options';
import type { JiraOptions } from './options';

export const JIRA = 'Jira';

export interface JiraCall {
  operation: string;
  method: RestMethod;
  /** Below /rest/api/3, starting with '/'. */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal;
}

/** Jira Cloud REST v3 over one pooled connection set, basic auth (email + API token). */
export class JiraApi {
  readonly #http: JsonHttp;
  readonly #authorization: string;

  constructor(private readonly options: JiraOptions) {
    this.#http = new JsonHttp({ system: JIRA, requestTimeoutMs: options.requestTimeoutMs });
    this.#authorization = `Basic ${Buffer.from(`${options.email}:${options.apiToken.reveal()}`).toString('base64')}`;
  }

  /** The parsed JSON answer (undefined for 204), or the taxonomy error for a refusal. */
  async call(call: JiraCall): Promise<unknown> {
    const url = new URL(`${this.options.baseUrl}/rest/api/3${call.path}`);
    for (const [name, value] of Object.entries(call.query ?? {})) url.searchParams.set(name, value);
    const answer = await this.#http.send({
      operation: call.operation,
      method: call.method,
      url: url.toString(),
      headers: { authorization: this.#authorization },
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      signal: call.signal,
    });
    if (answer.status < 200 || answer.status >= 300) throw jiraError(answer);
    if (!answer.bodyText.trim()) return undefined;
    try {
      return JSON.parse(answer.bodyText);
    } catch {
      throw new TicketUnavailableError(`Jira answered ${answer.status} with a body that is not JSON`, { status: answer.status });
    }
  }

  stats(): { calls: number; byOperation: Record<string, number> } {
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
