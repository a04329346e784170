import { Agent, request } from 'undici';
import type { HttpAnswer } from './answer';
import { classifyNetworkError, untilAborted } from './network-error';
import { RequestPacer } from './pacer';
import { DEFAULT_REQUEST_TIMEOUT_MS } from './timeouts';
import { USER_AGENT } from './user-agent';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpCall {
  /** Counted in stats(): the target's operation, or a helper call such as 'oauthToken'. */
  operation: string;
  method: HttpMethod;
  /** An absolute URL, or a path appended to the client's `baseUrl`. */
  url: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** A string is sent as is (serialised JSON, or form data with the caller's Content-Type); else JSON. */
  body?: unknown;
  /** The activity's cancellation signal. */
  signal?: AbortSignal;
}

export interface TargetHttpOptions {
  /** Names the target in error messages: 'ServiceNow', 'Jira', 'REST target tickets'. */
  system: string;
  /** Prefixes every call's url: an instance root, an API root. */
  baseUrl?: string;
  requestTimeoutMs?: number;
  /** Stamps each answer, for absolute rate-limit resets. */
  now?: () => number;
  /** This process's share of the target's API rate limit; every call waits its turn (RequestPacer). */
  requestsPerSecond?: number;
}

/** HTTP requests made so far, per operation; retries and token requests count too. */
export interface CallStats {
  calls: number;
  byOperation: Record<string, number>;
}

/**
 * One target's HTTP: a pooled keep-alive connection set, JSON by default, the bridge's User-Agent.
 * Every call is bounded by the request timeout and the caller's signal, so a cancelled activity also
 * cancels its request; connection failures, timeouts and aborts become TicketUnavailableError.
 */
export class TargetHttp {
  readonly #agent = new Agent({ keepAliveTimeout: 30_000, connections: 32 });
  readonly #callsByOperation: Record<string, number> = {};
  readonly #pacer?: RequestPacer;

  constructor(private readonly options: TargetHttpOptions) {
    if (options.requestsPerSecond) this.#pacer = new RequestPacer(options.requestsPerSecond);
  }

  async send(call: HttpCall): Promise<HttpAnswer> {
    // A cancelled activity stops waiting; its turn still passes, which only spaces the others more.
    if (this.#pacer) await untilAborted(this.#pacer.turn(), call.signal, this.options.system);
    // The request timeout starts once the call may go: waiting for a turn is not the target being slow.
    const timeout = AbortSignal.timeout(this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
    const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
    this.#callsByOperation[call.operation] = (this.#callsByOperation[call.operation] ?? 0) + 1;
    try {
      const response = await request(this.#url(call), {
        method: call.method,
        dispatcher: this.#agent,
        signal,
        headers: {
          accept: 'application/json',
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          ...call.headers,
        },
        body: serialised(call.body),
      });
      const bodyText = await response.body.text();
      const now = (this.options.now ?? Date.now)();
      return { status: response.statusCode, headers: response.headers, bodyText, now };
    } catch (error) {
      throw classifyNetworkError(this.options.system, error);
    }
  }

  stats(): CallStats {
    const byOperation = { ...this.#callsByOperation };
    return { calls: Object.values(byOperation).reduce((sum, count) => sum + count, 0), byOperation };
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  /** Built inside send's try: a URL that does not parse is reported like any other failed request. */
  #url(call: HttpCall): URL {
    const url = new URL((this.options.baseUrl ?? '') + call.url);
    for (const [name, value] of Object.entries(call.query ?? {})) url.searchParams.set(name, value);
    return url;
  }
}

function serialised(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  return typeof body === 'string' ? body : JSON.stringify(body);
}
