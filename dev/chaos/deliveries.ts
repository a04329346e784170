import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Rng } from '../simulator/servicenow/rng';
import { deliverLikeHasura, hasuraEventBody, HttpPool, type DeliveryResult } from './hasura-deliverer';

export interface HasuraRetryConf {
  numRetries: number;
  intervalSec: number;
  timeoutSec: number;
}

export interface DeliveryPlan {
  url: string;
  secret: string;
  /** New events per second; each one is delivered twice, so twice as many deliveries start. */
  eventsPerSecond: number;
  httpPoolSize: number;
  retryConf: HasuraRetryConf;
  /** Shrinks Hasura's waits (interval_sec, Retry-After) for short runs; 1 = real time. */
  timeScale: number;
  signal?: AbortSignal;
}

export interface DeliveryTally {
  events: number;
  deliveries: number;
  /** HTTP requests made, retries included, by answer ('error' = refused, reset or timed out). */
  requests: number;
  byAnswer: Record<string, number>;
  /** Event ids the webhook answered 2xx at least once: Temporal holds them, so they must become incidents. */
  accepted: Set<string>;
  /** Deliveries that gave up as Hasura does (event_log error = true); the other copy may still have been accepted. */
  gaveUp: number;
  durationMs: number;
}

export interface ChaosEvent {
  id: string;
  trigger: string;
  body: Record<string, unknown>;
}

export function buildEvents(count: number, rng: Rng): ChaosEvent[] {
  return Array.from({ length: count }, (_, index) => {
    const row = {
      id: index + 1,
      title: `Chaos event ${index + 1}`,
      description: `seeded ${Math.floor(rng() * 1e9)}`,
      priority: 'high',
      status: 'open',
    };
    const body = hasuraEventBody({ new: row });
    return { id: String(body.id), trigger: (body.trigger as { name: string }).name, body };
  });
}

/** At-least-once, twice over: every event appears twice, in a shuffled (Fisher–Yates, seeded) order. */
export function deliveryOrder(events: ChaosEvent[], rng: Rng): ChaosEvent[] {
  const order = [...events, ...events];
  for (let i = order.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

function record(tally: DeliveryTally, event: ChaosEvent, result: DeliveryResult): void {
  tally.requests += result.attempts.length;
  for (const attempt of result.attempts) {
    const key = attempt.status === 'error' ? 'error' : String(attempt.status);
    tally.byAnswer[key] = (tally.byAnswer[key] ?? 0) + 1;
  }
  if (result.delivered) tally.accepted.add(event.id);
  else tally.gaveUp += 1;
}

/** Offers the deliveries at the planned rate through one bounded HTTP pool, as Hasura's event processor does. */
export async function deliverAll(events: ChaosEvent[], rng: Rng, plan: DeliveryPlan): Promise<DeliveryTally> {
  const order = deliveryOrder(events, rng);
  const tally: DeliveryTally = {
    events: events.length,
    deliveries: order.length,
    requests: 0,
    byAnswer: {},
    accepted: new Set(),
    gaveUp: 0,
    durationMs: 0,
  };
  const pool = new HttpPool(plan.httpPoolSize);
  const options = {
    url: plan.url,
    secret: plan.secret,
    ...plan.retryConf,
    timeScale: plan.timeScale,
    pool,
    signal: plan.signal,
  };
  // Every delivery waiting for its next retry listens for the abort.
  if (plan.signal) setMaxListeners(order.length + 10, plan.signal);
  const started = Date.now();
  const intervalMs = 1000 / (plan.eventsPerSecond * 2);
  const inFlight: Promise<void>[] = [];
  for (const [index, event] of order.entries()) {
    if (plan.signal?.aborted) break;
    const due = started + index * intervalMs;
    if (due > Date.now()) await sleep(due - Date.now(), undefined, { signal: plan.signal }).catch(() => undefined);
    inFlight.push(deliverLikeHasura(event.body, options).then((result) => record(tally, event, result)));
  }
  await Promise.all(inFlight);
  tally.durationMs = Date.now() - started;
  return tally;
}
