import { Context } from '@temporalio/activity';
import type { FailureFacts } from '../contract';
import type { Logger } from '../logging';
import { toApplicationFailure } from './failures';
import type { createNotifyActivities } from './notify';

/** Tells the operators of a failure: the log line always, then every configured channel. */
export type FailureReporter = (facts: FailureFacts) => Promise<void>;

export interface FailureReporting {
  report?: FailureReporter;
  /** The retry schedule's attempts (the worker's policy, as the change workflow reads it): the last one fails it. */
  maximumAttempts?: number;
}

/** What a failed change names: its trigger and row once the record was read, else the ServiceNow record. */
export interface FailedChange {
  trigger: string;
  table: string;
  rowKey?: string;
}

/** The event workflows' notify activities (src/activities/notify.ts), run from inside the failing activity. */
export function failureReporter(notify: ReturnType<typeof createNotifyActivities>, logger: Logger): FailureReporter {
  return async (facts) => {
    await notify.logFailure(facts);
    for (const channel of await notify.notifyChannels()) {
      await notify.notifyFailure(channel, facts).catch((error: unknown) => {
        logger.warn({ channel, workflowId: facts.workflowId, error: String(error) }, 'failure notification not sent');
      });
    }
  };
}

/**
 * A change workflow has no park: it fails when one of its activities fails for good (a permanent error, or
 * the last attempt of the retry schedule). So that activity tells the operators before its failure goes back,
 * as a parked event does, and the failure is classified in the one place (src/activities/failures.ts): a
 * refused row write is permanent here as in the write-back. A report that cannot be sent never hides the failure.
 * The read after a write has no last attempt: when it reaches the schedule's maximum it tells them once that
 * the change is `stuck` (third review, finding 8), and keeps retrying.
 */
export async function failingVisibly<T>(
  deps: FailureReporting,
  subject: () => FailedChange,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const { attempt, workflowExecution, retryPolicy } = Context.current().info;
    const failure = toApplicationFailure(error, { attempt });
    // The schedule the workflow asked for this call (the re-read after a write has no maximum: 0 or absent).
    const unlimited = retryPolicy !== undefined && !retryPolicy.maximumAttempts;
    const maximum = retryPolicy ? retryPolicy.maximumAttempts || undefined : deps.maximumAttempts;
    const last = failure.nonRetryable || (maximum !== undefined && attempt >= maximum);
    const stuck = !last && unlimited && attempt === deps.maximumAttempts;
    if ((last || stuck) && deps.report) {
      const { workflowId = '', runId = '' } = workflowExecution ?? {};
      const facts: FailureFacts = {
        ...{ workflowId, runId, ...subject(), op: 'SERVICENOW_CHANGE', eventId: workflowId },
        lastError: { message: failure.message, type: failure.type ?? undefined },
        ...{ attempts: attempt, occurredAt: new Date().toISOString(), outcome: last ? 'failed' : 'stuck' },
      };
      await deps.report(facts).catch(() => undefined);
    }
    throw failure;
  }
}
