import { packageRoot } from '../../package-root';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { classifyNetworkError, type ServiceNowResponse } from './classify';

export interface HttpCall {
  /** Counted in stats(): the Table API operation, or 'oauthToken'. */
  operation: string;
  method: 'GET' | 'POST' | 'PATCH';
  /** Path below the instance URL, starting with '/'. */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** A JSON body is serialised; a string (form data) is sent as is with the caller's Content-Type. */
  body?: unknown;
  signal?: AbortSignal;
}

export interface ServiceNowHttpOptions {
  instanceUrl: string;
  requestTimeoutMs: number;
  now: () => number;
}

function packageVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
    return manifest.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export const USER_AGENT = `incident-bridge/${packageVersion()}`;

/**
 * One pooled keep-alive connection set per instance. Every call is bounded by the request timeout
 * and by the caller's signal, so a cancelled activity also cancels its HTTP request.
 */
export class ServiceNowHttp {
  readonly instanceUrl: string;
  readonly #agent = new Agent({ keepAliveTimeout: 30_000, connections: 32 });
  readonly #options: ServiceNowHttpOptions;
  readonly #callsByOperation: Record<string, number> = {};

  constructor(options: ServiceNowHttpOptions) {
    this.#options = options;
    this.instanceUrl = options.instanceUrl.replace(/\/+$/, '');
  }

  async send(call: HttpCall): Promise<ServiceNowResponse> {
    const url = new URL(this.instanceUrl + call.path);
    for (const [name, value] of Object.entries(call.query ?? {})) url.searchParams.set(name, value);
    const timeout = AbortSignal.timeout(this.#options.requestTimeoutMs);
    const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
    const isForm = typeof call.body === 'string';
    this.#callsByOperation[call.operation] = (this.#callsByOperation[call.operation] ?? 0) + 1;
    try {
      const response = await request(url, {
        method: call.method,
        dispatcher: this.#agent,
        signal,
        headers: {
          accept: 'application/json',
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          ...call.headers,
        },
        body: call.body === undefined ? undefined : isForm ? (call.body as string) : JSON.stringify(call.body),
      });
      const bodyText = await response.body.text();
      return { status: response.statusCode, headers: response.headers, bodyText, now: this.#options.now() };
    } catch (error) {
      throw classifyNetworkError(error);
    }
  }

  /** Every HTTP request made, token requests and 401 retries included. */
  stats(): { calls: number; byOperation: Record<string, number> } {
    const byOperation = { ...this.#callsByOperation };
    return { calls: Object.values(byOperation).reduce((sum, count) => sum + count, 0), byOperation };
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}

/** Lets a caller stop waiting for shared work (a token request) without cancelling it for the others. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(classifyNetworkError(signal.reason));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
