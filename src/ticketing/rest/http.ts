import { Agent, request } from 'undici';
import { TicketError, TicketUnavailableError } from '../errors';
import { USER_AGENT } from '../servicenow/http';
import type { RestMethod } from './options';

export interface HttpRequest {
  /** Counted in stats(). */
  operation: string;
  method: RestMethod;
  url: string;
  headers?: Record<string, string>;
  /** Already serialised JSON. */
  body?: string;
  signal?: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  /** Lower-case names, as undici delivers them. */
  headers: Record<string, string | string[] | undefined>;
  bodyText: string;
  /** Epoch ms when the answer arrived, for absolute rate-limit resets. */
  now: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;

/**
 * Pooled keep-alive JSON calls for the Jira and generic REST targets. Every call is bounded by the
 * request timeout and the caller's signal; connection failures become TicketUnavailableError.
 */
export class JsonHttp {
  readonly #agent = new Agent({ keepAliveTimeout: 30_000, connections: 32 });
  readonly #callsByOperation: Record<string, number> = {};

  constructor(private readonly options: { system: string; requestTimeoutMs?: number; now?: () => number }) {}

  async send(call: HttpRequest): Promise<HttpAnswer> {
    const timeout = AbortSignal.timeout(this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
    const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
    this.#callsByOperation[call.operation] = (this.#callsByOperation[call.operation] ?? 0) + 1;
    try {
      const response = await request(call.url, {
        method: call.method,
        dispatcher: this.#agent,
        signal,
        headers: { accept: 'application/json', 'content-type': 'application/json', 'user-agent': USER_AGENT, ...call.headers },
        body: call.body,
      });
      const bodyText = await response.body.text();
      return { status: response.statusCode, headers: response.headers, bodyText, now: (this.options.now ?? Date.now)() };
    } catch (error) {
      throw networkError(this.options.system, error);
    }
  }

  stats(): { calls: number; byOperation: Record<string, number> } {
    const byOperation = { ...this.#callsByOperation };
    return { calls: Object.values(byOperation).reduce((sum, count) => sum + count, 0), byOperation };
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}

/** Connection refused/reset, DNS failure, timeout or abort: all transient. */
function networkError(system: string, error: unknown): TicketError {
  if (error instanceof TicketError) return error;
  const { name, code, message } = (error ?? {}) as { name?: unknown; code?: unknown; message?: unknown };
  const reason = typeof message === 'string' ? message : String(error);
  if (name === 'TimeoutError') return new TicketUnavailableError(`${system} request timed out: ${reason}`, { cause: error });
  if (name === 'AbortError') return new TicketUnavailableError(`${system} request aborted: ${reason}`, { cause: error });
  const label = typeof code === 'string' ? `${code} ` : '';
  return new TicketUnavailableError(`${system} unreachable: ${label}${reason}`, { cause: error });
}
