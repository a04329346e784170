import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { ServiceNowReconcileConfig } from '../config/settings';
import {
  LEGACY_RECONCILE_SCHEDULE_ID,
  serviceNowReconcileScheduleId,
  SERVICENOW_RECONCILE_WORKFLOW_TYPE,
} from '../contract';
import type { Logger } from '../logging';

/**
 * The reconciler's Schedule of this worker's task queue, made idempotently by every worker at start: the
 * first creates it, the others (and restarts) find it and only bring its interval to the configured one.
 * Runs never overlap (SKIP: while a sweep runs, the next start is dropped, not queued), and the sweep's
 * progress is each run's result, which the Schedule hands to the next run: it lives in Temporal.
 */
export async function ensureReconcileSchedule(
  client: Client,
  options: ServiceNowReconcileConfig & { taskQueue: string; logger: Logger },
): Promise<void> {
  const { intervalMs, taskQueue, logger } = options;
  const scheduleId = serviceNowReconcileScheduleId(taskQueue);
  const spec = { intervals: [{ every: intervalMs }] };
  try {
    await client.schedule.create({
      scheduleId,
      spec,
      action: {
        type: 'startWorkflow',
        workflowType: SERVICENOW_RECONCILE_WORKFLOW_TYPE,
        workflowId: scheduleId,
        taskQueue,
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: intervalMs },
    });
    logger.info({ scheduleId, intervalMs }, 'ServiceNow reconciler scheduled');
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec }));
  }
  await retireLegacySchedule(client, taskQueue, logger);
}

/**
 * Before, every deployment shared one Schedule id, the last worker to start setting its task queue. The
 * one that drives this worker's queue is replaced by the Schedule above (whose first run looks back a
 * day: what that re-reads starts nothing twice); one driving another queue is that deployment's, left
 * for its own upgrade.
 */
async function retireLegacySchedule(client: Client, taskQueue: string, logger: Logger): Promise<void> {
  const legacy = client.schedule.getHandle(LEGACY_RECONCILE_SCHEDULE_ID);
  try {
    const { action } = await legacy.describe();
    if (action.type !== 'startWorkflow' || action.taskQueue !== taskQueue) return;
    await legacy.delete();
    logger.info(
      { scheduleId: LEGACY_RECONCILE_SCHEDULE_ID, taskQueue },
      'ServiceNow reconciler: old shared Schedule retired',
    );
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
  }
}
