import { z } from 'zod';
import { DEFAULT_POLICY, ROW_DELIVERY_BOUND_MS, type EventPolicy } from '../contract';
import { envDuration } from './duration';
import { envInt, parseEnv, type Env } from './env';

const schema = z.object({
  TICKET_RETRY_INITIAL_INTERVAL: envDuration.optional(),
  TICKET_RETRY_MAX_INTERVAL: envDuration.optional(),
  TICKET_RETRY_BACKOFF: z.coerce.number().min(1).max(10).optional(),
  TICKET_RETRY_MAX_ATTEMPTS: envInt(1, 1000).optional(),
  TICKET_ATTEMPT_TIMEOUT: envDuration.optional(),
  PARK_TIMEOUT: envDuration.optional(),
  DUPLICATE_CHECK_DELAY: envDuration.optional(),
  LOOKUP_FIRST_AFTER: envDuration.optional(),
  ROW_RETENTION: envDuration.optional(),
  // A row run must outlive a webhook's whole delivery (ROW_DELIVERY_BOUND_MS) with a second bound of slack: the bound
  // is the webhook's gRPC deadline, and a signalWithStart may still commit after it (README "Mappings, lifecycle").
  ROW_IDLE: envDuration
    .refine(
      (idle) => idle >= 2 * ROW_DELIVERY_BOUND_MS,
      `must be at least ${2 * ROW_DELIVERY_BOUND_MS} ms (twice a webhook's delivery bound)`,
    )
    .optional(),
  TICKETING_TASK_QUEUE: z.string().min(1).optional(),
});

export const POLICY_VARIABLES: readonly string[] = Object.keys(schema.shape);

/**
 * The retry schedule, deadlines and ticketing queue of every event (README "Configuration"). The worker
 * reads them, because the process that runs the ticket calls owns how they are retried.
 */
export function eventPolicyFromEnv(env: Env): EventPolicy {
  const e = parseEnv(schema, env);
  const retry = DEFAULT_POLICY.ticketRetry;
  return {
    ticketRetry: {
      initialIntervalMs: e.TICKET_RETRY_INITIAL_INTERVAL ?? retry.initialIntervalMs,
      maximumIntervalMs: e.TICKET_RETRY_MAX_INTERVAL ?? retry.maximumIntervalMs,
      backoffCoefficient: e.TICKET_RETRY_BACKOFF ?? retry.backoffCoefficient,
      maximumAttempts: e.TICKET_RETRY_MAX_ATTEMPTS ?? retry.maximumAttempts,
    },
    attemptTimeoutMs: e.TICKET_ATTEMPT_TIMEOUT ?? DEFAULT_POLICY.attemptTimeoutMs,
    parkTimeoutMs: e.PARK_TIMEOUT ?? DEFAULT_POLICY.parkTimeoutMs,
    duplicateCheckDelayMs: e.DUPLICATE_CHECK_DELAY ?? DEFAULT_POLICY.duplicateCheckDelayMs,
    lookupFirstAfterMs: e.LOOKUP_FIRST_AFTER ?? DEFAULT_POLICY.lookupFirstAfterMs,
    rowRetentionMs: e.ROW_RETENTION ?? DEFAULT_POLICY.rowRetentionMs,
    rowIdleMs: e.ROW_IDLE ?? DEFAULT_POLICY.rowIdleMs,
    ticketTaskQueue: e.TICKETING_TASK_QUEUE,
    // Not yet a variable: the default schedule (README "Write-back"); tests shorten it through the run's policy.
    writeBackRetry: DEFAULT_POLICY.writeBackRetry,
  };
}
