import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { envDuration } from '../../src/settings/duration';
import { envInt, parseEnv } from '../../src/settings/env';
import type { HasuraRetryConf } from './deliveries';
import type { FaultTimings } from './fault-plan';
import { packageRoot } from '../../src/package-root';

export interface ChaosOptions {
  events: number;
  /** New events per second; each one is delivered twice. */
  eventsPerSecond: number;
  httpPoolSize: number;
  seed: number;
  retryConf: HasuraRetryConf;
  /** Shrinks Hasura's waits for the CI run; 1 = real time. */
  hasuraTimeScale: number;
  faults: Omit<FaultTimings, 'ingestMs'>;
  /** The bridge's retry policy and timeouts (TICKET_RETRY_*, …), passed to its processes. */
  bridgeEnv: Record<string, string>;
  drainTimeoutMs: number;
}

const ROOT = packageRoot();
export const HASURA_TRIGGER_FILE = path.join(
  ROOT,
  'hasura',
  'metadata',
  'databases',
  'default',
  'tables',
  'public_incident_request.yaml',
);

/** The deliverer retries exactly as the shipped trigger is configured to. */
export function shippedRetryConf(file = HASURA_TRIGGER_FILE): HasuraRetryConf {
  const table = parse(readFileSync(file, 'utf8')) as { event_triggers?: { retry_conf?: Record<string, number> }[] };
  const conf = table.event_triggers?.[0]?.retry_conf;
  if (!conf) throw new Error(`${file}: no event_triggers[0].retry_conf`);
  return { numRetries: conf.num_retries, intervalSec: conf.interval_sec, timeoutSec: conf.timeout_sec ?? 60 };
}

/** The bridge's HTTP timeout and late-duplicate check delay in both runs (below). */
const HTTP_TIMEOUT_MS = 2_500;
const DUPLICATE_CHECK_DELAY_MS = 3_000;
/**
 * Delayed commits land between the two: the attempt has given up (a retry must look up, and may not
 * see the ticket yet), and the late check that follows the retry sees it.
 */
const DELAYED_COMMIT_MS = 2_600;

/**
 * Retries long enough to outlast every fault in the schedule (so nothing parks), capped low so
 * the backlog drains within one interval of the outage ending; the HTTP timeout stays below the
 * attempt timeout so an attempt can report why it failed.
 */
function bridgeEnv(maxIntervalMs: number): Record<string, string> {
  return {
    TICKET_RETRY_INITIAL_INTERVAL: '500ms',
    TICKET_RETRY_BACKOFF: '2',
    TICKET_RETRY_MAX_INTERVAL: `${maxIntervalMs}ms`,
    TICKET_RETRY_MAX_ATTEMPTS: '500',
    TICKET_ATTEMPT_TIMEOUT: '6s',
    SERVICENOW_REQUEST_TIMEOUT_MS: String(HTTP_TIMEOUT_MS),
    DUPLICATE_CHECK_DELAY: `${DUPLICATE_CHECK_DELAY_MS}ms`,
    PARK_TIMEOUT: '1h',
    WEBHOOK_RETRY_AFTER_SECONDS: '2',
  };
}

/** `npm run chaos`: real Hasura timings and an outage of two minutes. */
export function fullRun(events = 1000): ChaosOptions {
  return {
    events,
    eventsPerSecond: 8,
    httpPoolSize: 100,
    seed: 1,
    retryConf: shippedRetryConf(),
    hasuraTimeScale: 1,
    faults: {
      outageMs: 120_000,
      stormMs: 15_000,
      errorWindowMs: 30_000,
      slowCommits: 10,
      delayedCommits: 10,
      commitAfterMs: DELAYED_COMMIT_MS,
      downMs: 2_000,
    },
    bridgeEnv: bridgeEnv(8_000),
    drainTimeoutMs: 10 * 60_000,
  };
}

/** Inside `npm test`: the same story in about a minute, with Hasura's seconds shrunk five-fold. */
export function ciRun(events = 100): ChaosOptions {
  return {
    ...fullRun(events),
    eventsPerSecond: 4,
    hasuraTimeScale: 0.2,
    faults: {
      outageMs: 5_000,
      stormMs: 3_000,
      errorWindowMs: 7_000,
      slowCommits: 3,
      delayedCommits: 3,
      commitAfterMs: DELAYED_COMMIT_MS,
      downMs: 500,
    },
    bridgeEnv: bridgeEnv(2_000),
    drainTimeoutMs: 90_000,
  };
}

const envSchema = z.object({
  CHAOS_EVENTS: envInt(1, 100_000).default(1000),
  CHAOS_EVENTS_PER_SECOND: z.coerce.number().positive().max(1000).optional(),
  CHAOS_HTTP_POOL_SIZE: envInt(1, 1000).optional(),
  CHAOS_SEED: envInt(0, 2 ** 31).optional(),
  CHAOS_OUTAGE: envDuration.optional(),
  CHAOS_DRAIN_TIMEOUT: envDuration.optional(),
});

/** The full run, adjusted by CHAOS_* variables (README "Chaos suite"). */
export function chaosOptionsFromEnv(env: NodeJS.ProcessEnv): ChaosOptions {
  const e = parseEnv(envSchema, env);
  const base = fullRun(e.CHAOS_EVENTS);
  return {
    ...base,
    eventsPerSecond: e.CHAOS_EVENTS_PER_SECOND ?? base.eventsPerSecond,
    httpPoolSize: e.CHAOS_HTTP_POOL_SIZE ?? base.httpPoolSize,
    seed: e.CHAOS_SEED ?? base.seed,
    faults: { ...base.faults, outageMs: e.CHAOS_OUTAGE ?? base.faults.outageMs },
    drainTimeoutMs: e.CHAOS_DRAIN_TIMEOUT ?? base.drainTimeoutMs,
  };
}
