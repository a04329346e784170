import type { NotifyChannel } from './types';

export interface JsonPost {
  channel: NotifyChannel;
  url: string;
  headers?: Record<string, string>;
  body: unknown;
  timeoutMs: number;
}

/**
 * POSTs JSON and resolves on 2xx. Failures throw an Error naming only the channel and the status or network
 * code: the URL may hold a token, and the Error message is recorded in Temporal history.
 */
export async function postJson(post: JsonPost): Promise<void> {
  const headers = new Headers(post.headers);
  headers.set('content-type', 'application/json');
  let response: Response;
  try {
    response = await fetch(post.url, {
      method: 'POST',
      headers,
      body: JSON.stringify(post.body),
      // A redirect would carry the configured secret headers to wherever it points; treat it as a failure.
      redirect: 'manual',
      signal: AbortSignal.timeout(post.timeoutMs),
    });
  } catch (error) {
    throw new Error(`${post.channel} notification failed: ${describeFetchFailure(error, post.timeoutMs)}`);
  }
  // The body is never shown (a receiver may echo our headers back); cancelling frees the connection.
  await response.body?.cancel();
  if (!response.ok) throw new Error(`${post.channel} notification failed: HTTP ${response.status}`);
}

function describeFetchFailure(error: unknown, timeoutMs: number): string {
  // Duck-typed: fetch's DOMException comes from another realm under jest, so `instanceof Error` fails there.
  const { name, cause } = (error ?? {}) as { name?: unknown; cause?: { code?: unknown } };
  if (name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const code = cause?.code;
  return typeof code === 'string' && /^[A-Z_]{1,32}$/.test(code) ? `network error ${code}` : 'network error';
}
