import { z } from 'zod';
import { parseEnv } from './parse-env';

const schema = z.object({
  TICKETING_TASK_QUEUE: z.string().min(1).optional(),
  TICKET_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().max(10_000).optional(),
});

export interface TicketingWorkerConfig {
  taskQueue: string;
  maxActivitiesPerSecond?: number;
}

/**
 * TICKETING_TASK_QUEUE (set on the webhook too: it puts the queue into each workflow's policy)
 * moves ticket calls to their own queue; TICKET_RATE_LIMIT_PER_SECOND caps them across all workers.
 */
export function ticketingWorkerConfigFromEnv(env: NodeJS.ProcessEnv): TicketingWorkerConfig | undefined {
  const parsed = parseEnv(schema.refine((e) => !e.TICKET_RATE_LIMIT_PER_SECOND || e.TICKETING_TASK_QUEUE, {
    message: 'a global rate limit needs its own queue: set TICKETING_TASK_QUEUE (on the webhook and the workers)', path: ['TICKET_RATE_LIMIT_PER_SECOND'],
  }), env);
  if (!parsed.TICKETING_TASK_QUEUE) return undefined;
  return { taskQueue: parsed.TICKETING_TASK_QUEUE, maxActivitiesPerSecond: parsed.TICKET_RATE_LIMIT_PER_SECOND };
}
