import { Context } from '@temporalio/activity';
import type { Logger } from '../logging';

/** A child logger carrying the workflow, activity and attempt, so every line ties back to the event. */
export function activityLogger(base: Logger): Logger {
  const { workflowExecution, activityType, attempt } = Context.current().info;
  return base.child({ workflowId: workflowExecution?.workflowId, activity: activityType, attempt });
}
