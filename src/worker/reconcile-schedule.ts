import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { ServiceNowReconcileConfig } from '../config/settings';
import { SERVICENOW_RECONCILE_SCHEDULE_ID, SERVICENOW_RECONCILE_WORKFLOW_TYPE } from '../contract';
import type { Logger } from '../logging';

/**
 * The reconciler's Schedule, made idempotently by every worker at start: the first creates it, the
 * others (and restarts) find it and only bring its interval to the configured one. Runs never overlap
 * (a slow sweep makes the next one wait), and the sweep's progress is each run's result, which the
 * Schedule hands to the next run: it lives in Temporal, not in a worker.
 */
export async function ensureReconcileSchedule(
  client: Client,
  options: ServiceNowReconcileConfig & { taskQueue: string; logger: Logger },
): Promise<void> {
  const { intervalMs, taskQueue, logger } = options;
  const spec = { intervals: [{ every: intervalMs }] };
  try {
    await client.schedule.create({
      scheduleId: SERVICENOW_RECONCILE_SCHEDULE_ID,
      spec,
      action: {
        type: 'startWorkflow',
        workflowType: SERVICENOW_RECONCILE_WORKFLOW_TYPE,
        workflowId: SERVICENOW_RECONCILE_SCHEDULE_ID,
        taskQueue,
        args: [],
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: intervalMs },
    });
    logger.info({ scheduleId: SERVICENOW_RECONCILE_SCHEDULE_ID, intervalMs }, 'ServiceNow reconciler scheduled');
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(SERVICENOW_RECONCILE_SCHEDULE_ID).update((previous) => ({
      ...previous,
      spec,
      action: { ...previous.action, taskQueue },
    }));
  }
}
