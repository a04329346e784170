import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import { CATCH_UP_SCHEDULE_ID } from '../contract';
import type { Logger } from '../logging';
import { catchUpWorkflow } from '../workflows';

export interface CatchUpScheduleOptions {
  intervalMs: number;
  triggers: string[];
  taskQueue: string;
}

/**
 * Creates the catch-up Schedule, or brings the existing one to this worker's interval and triggers:
 * every worker start does the same, so N workers leave one Schedule. Overlap SKIP: a sweep still running
 * when the next is due is not doubled. Workers without CATCH_UP_INTERVAL leave it as it is.
 */
export async function ensureCatchUpSchedule(client: Client, options: CatchUpScheduleOptions, logger: Logger) {
  const spec = { intervals: [{ every: options.intervalMs }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: catchUpWorkflow,
    workflowId: `${CATCH_UP_SCHEDULE_ID}-sweep`,
    taskQueue: options.taskQueue,
    args: [{ triggers: options.triggers }] as [{ triggers: string[] }],
  };
  try {
    await client.schedule.create({ scheduleId: CATCH_UP_SCHEDULE_ID, spec, action, policies: { overlap: 'SKIP' } });
    logger.info({ scheduleId: CATCH_UP_SCHEDULE_ID, ...options }, 'catch-up schedule created');
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(CATCH_UP_SCHEDULE_ID).update((previous) => ({ ...previous, spec, action }));
    logger.info({ scheduleId: CATCH_UP_SCHEDULE_ID, ...options }, 'catch-up schedule updated');
  }
}
