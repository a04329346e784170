import { z } from 'zod';
import { envInt, parseEnv } from './parse-env';

const schema = z.object({
  TICKETING_TASK_QUEUE: z.string().min(1).optional(),
  TICKET_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().max(10_000).optional(),
  WORKER_MAX_CACHED_WORKFLOWS: envInt(0, 100_000).default(250),
  WORKER_MAX_CONCURRENT_ACTIVITIES: envInt(1, 10_000).optional(),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: envInt(2, 10_000).optional(),
}).refine((e) => !e.TICKET_RATE_LIMIT_PER_SECOND || e.TICKETING_TASK_QUEUE, {
  message: 'a global rate limit needs its own queue: set TICKETING_TASK_QUEUE (on the webhook and the workers)',
  path: ['TICKET_RATE_LIMIT_PER_SECOND'],
});

export interface TicketingWorkerConfig {
  taskQueue: string;
  maxActivitiesPerSecond?: number;
}

export interface WorkerConfig {
  /** TICKETING_TASK_QUEUE moves ticket calls to their own queue; the rate caps them across all workers. */
  ticketing?: TicketingWorkerConfig;
  tuning: { maxCachedWorkflows: number; maxConcurrentActivityTaskExecutions?: number; maxConcurrentWorkflowTaskExecutions?: number };
}

/**
 * The SDK sizes its workflow cache from the heap (thousands of entries on a big machine), so every
 * parked event would stay in memory; 250 keeps a worker small and parked events cost nothing but
 * a replay when an operator acts on them.
 */
export function workerConfigFromEnv(env: NodeJS.ProcessEnv): WorkerConfig {
  const e = parseEnv(schema, env);
  return {
    ticketing: e.TICKETING_TASK_QUEUE ? { taskQueue: e.TICKETING_TASK_QUEUE, maxActivitiesPerSecond: e.TICKET_RATE_LIMIT_PER_SECOND } : undefined,
    // Unset keys stay absent: an explicit undefined would override the SDK's own defaults.
    tuning: {
      maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
      ...(e.WORKER_MAX_CONCURRENT_ACTIVITIES && { maxConcurrentActivityTaskExecutions: e.WORKER_MAX_CONCURRENT_ACTIVITIES }),
      ...(e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS && { maxConcurrentWorkflowTaskExecutions: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS }),
    },
  };
}
