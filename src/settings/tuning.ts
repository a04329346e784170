import { z } from 'zod';
import { ConfigError } from '../common/config-error';
import { envInt, parseEnv, type Env } from './env';
import type { TicketingWorkerConfig, WorkerTuning } from '../config/settings';
import type { CreateQueue } from '../contract';

const schema = z.object({
  TICKET_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().max(10_000).optional(),
  WORKER_MAX_CACHED_WORKFLOWS: envInt(0, 100_000).default(250),
  WORKER_MAX_CONCURRENT_ACTIVITIES: envInt(1, 10_000).optional(),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: envInt(2, 10_000).optional(),
});

export const TUNING_VARIABLES: readonly string[] = Object.keys(schema.shape);

/**
 * The worker's ticketing queue (TICKETING_TASK_QUEUE, read with the policy, given here) and its sizing. A rate limit
 * needs single events' creates on the ticketing queue (TICKET_CREATE_QUEUE, read with the connection), where
 * Temporal's limiter holds them back: on the workflow queue they would wait for the in-process limit inside their
 * attempt's deadline.
 * The SDK sizes its workflow cache from the heap (thousands of entries on a big machine), so every
 * parked event would stay in memory; 250 keeps a worker small and parked events cost nothing but
 * a replay when an operator acts on them.
 */
export function workerTuningFromEnv(
  env: Env,
  queues: { ticketTaskQueue: string | undefined; createQueue: CreateQueue },
): { ticketing?: TicketingWorkerConfig; tuning: WorkerTuning } {
  const e = parseEnv(schema, env);
  const { ticketTaskQueue, createQueue } = queues;
  if (e.TICKET_RATE_LIMIT_PER_SECOND && !ticketTaskQueue) {
    const fix = 'a global rate limit needs its own queue: set TICKETING_TASK_QUEUE';
    throw new ConfigError([`TICKET_RATE_LIMIT_PER_SECOND: ${fix}`]);
  }
  if (e.TICKET_RATE_LIMIT_PER_SECOND && createQueue !== 'ticketing') {
    const fix = 'creates must run where the limit holds: set TICKET_CREATE_QUEUE=ticketing here and on the webhook';
    throw new ConfigError([`TICKET_RATE_LIMIT_PER_SECOND: ${fix}`]);
  }
  const maxActivitiesPerSecond = e.TICKET_RATE_LIMIT_PER_SECOND;
  return {
    ticketing: ticketTaskQueue ? { taskQueue: ticketTaskQueue, maxActivitiesPerSecond } : undefined,
    // Unset keys stay absent: an explicit undefined would override the SDK's own defaults.
    tuning: {
      maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
      ...(e.WORKER_MAX_CONCURRENT_ACTIVITIES && {
        maxConcurrentActivityTaskExecutions: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
      }),
      ...(e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS && {
        maxConcurrentWorkflowTaskExecutions: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      }),
    },
  };
}
