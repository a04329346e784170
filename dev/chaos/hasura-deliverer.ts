import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'lossless-json';

/**
 * Builds and delivers events exactly as Hasura v2 does: the EventPayload body (no wrapper), its
 * default headers, the B3 trace headers, and the retry loop with Retry-After semantics
 * (see shared reference hasura-event-triggers.md §1–3). Shared by the tests and the chaos suite.
 */
export type Op = 'INSERT' | 'UPDATE' | 'DELETE' | 'MANUAL';

export interface EventSpec {
  op?: Op;
  trigger?: string;
  table?: { schema: string; name: string };
  old?: Record<string, unknown> | null;
  new?: Record<string, unknown> | null;
  id?: string;
  /** Hasura ≥ v2.40 sends no zone; older builds append Z. */
  createdAtStyle?: 'local' | 'zulu';
}

const traceId = (): string => randomUUID().replace(/-/g, '').slice(0, 16);

export function hasuraEventBody(spec: EventSpec = {}): Record<string, unknown> {
  const op = spec.op ?? 'INSERT';
  const row = { id: 42, title: 'Printer on fire', description: 'Third floor', priority: 'high', status: 'open' };
  const created = new Date().toISOString().replace('Z', '');
  return {
    event: {
      session_variables: op === 'MANUAL' ? { 'x-hasura-role': 'admin' } : null,
      op,
      data: {
        old: spec.old !== undefined ? spec.old : op === 'UPDATE' || op === 'DELETE' ? row : null,
        new: spec.new !== undefined ? spec.new : op === 'DELETE' ? null : row,
      },
      trace_context: { trace_id: traceId(), span_id: traceId() },
    },
    created_at: spec.createdAtStyle === 'zulu' ? `${created}Z` : `${created}123`,
    id: spec.id ?? randomUUID(),
    delivery_info: { max_retries: 5, current_retry: 0 },
    trigger: { name: spec.trigger ?? 'create_servicenow_incident' },
    table: spec.table ?? { schema: 'public', name: 'incident_request' },
  };
}

/**
 * Hasura's HTTP worker pool (HASURA_GRAPHQL_EVENTS_HTTP_POOL_SIZE): at most `size` requests in
 * flight across all events. An event waiting for its next retry holds no slot.
 */
export class HttpPool {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {}

  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    try {
      return await call();
    } finally {
      // The slot passes straight to the next waiter, so `active` never overshoots.
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}

export interface DeliveryOptions {
  url: string;
  secret?: string;
  secretHeader?: string;
  /** Hasura retry_conf. */
  numRetries?: number;
  intervalSec?: number;
  timeoutSec?: number;
  /** Tests shrink Hasura's seconds; 1 = real time. */
  timeScale?: number;
  /** Shared by concurrent deliveries to bound requests in flight; default unbounded. */
  pool?: HttpPool;
  /** Stops retrying (the current attempt still finishes). */
  signal?: AbortSignal;
}

export interface DeliveryResult {
  delivered: boolean;
  attempts: { status: number | 'error'; retryAfter?: number; body?: unknown }[];
}

function hasuraHeaders(options: DeliveryOptions): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': 'hasura-graphql-engine/v2.46.0',
    'X-B3-TraceId': traceId(),
    'X-B3-SpanId': traceId(),
    'X-B3-Sampled': '1',
  };
  if (options.secret !== undefined) headers[options.secretHeader ?? 'x-webhook-secret'] = options.secret;
  return headers;
}

async function attempt(
  options: DeliveryOptions,
  body: Record<string, unknown>,
  tries: number,
): Promise<DeliveryResult['attempts'][number]> {
  const payload = { ...body, delivery_info: { max_retries: options.numRetries ?? 0, current_retry: tries } };
  try {
    const response = await fetch(options.url, {
      method: 'POST',
      headers: hasuraHeaders(options),
      // Row images may hold lossless-json numbers: a bigint past 2^53 goes out with every digit, as row_to_json sends it.
      body: stringify(payload),
      signal: AbortSignal.timeout((options.timeoutSec ?? 60) * 1000),
    });
    const retryAfter = Number(response.headers.get('retry-after'));
    const text = await response.text();
    return {
      status: response.status,
      retryAfter: Number.isInteger(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
      body: text && safeJson(text),
    };
  } catch {
    return { status: 'error' };
  }
}

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

const MAX_TRIES = 1000;

/** Success is 2xx only; Retry-After (positive integer seconds) schedules one more try even when retries are exhausted. */
export async function deliverLikeHasura(
  body: Record<string, unknown>,
  options: DeliveryOptions,
): Promise<DeliveryResult> {
  const scale = options.timeScale ?? 1;
  const send = (tries: number) =>
    options.pool ? options.pool.run(() => attempt(options, body, tries)) : attempt(options, body, tries);
  const result: DeliveryResult = { delivered: false, attempts: [] };
  for (let tries = 0; tries <= MAX_TRIES; tries++) {
    const outcome = await send(tries);
    result.attempts.push(outcome);
    if (typeof outcome.status === 'number' && outcome.status >= 200 && outcome.status < 300)
      return { ...result, delivered: true };
    const exhausted = tries >= (options.numRetries ?? 0);
    if (exhausted && outcome.retryAfter === undefined) return result;
    const waitSec = outcome.retryAfter ?? options.intervalSec ?? 10;
    await sleep(waitSec * 1000 * scale, undefined, { signal: options.signal }).catch(() => undefined);
    if (options.signal?.aborted) return result;
  }
  return result;
}
