import { log, proxyActivities, proxyLocalActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { BridgeActivities } from '../activities';
import { PERMANENT_ERROR_TYPES } from '../ticketing/errors';
import { statusQuery } from './messages';
import { OperatorInbox } from './operator';
import { resolvePolicy } from './policy';
import { runWithRecovery } from './recovery';
import { StatusTracker } from './status';
import type { EventOutcome, EventPolicy, EventWorkflowInput } from './types';

const { transformEvent } = proxyLocalActivities<BridgeActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3, nonRetryableErrorTypes: [...PERMANENT_ERROR_TYPES] },
});

/** Ticket calls: the configured schedule; permanent errors fail at once and park the event. */
export function ticketActivities(policy: EventPolicy) {
  const { ticketRetry } = policy;
  return proxyActivities<BridgeActivities>({
    taskQueue: policy.ticketTaskQueue,
    startToCloseTimeout: policy.attemptTimeoutMs,
    retry: {
      initialInterval: ticketRetry.initialIntervalMs,
      backoffCoefficient: ticketRetry.backoffCoefficient,
      maximumInterval: ticketRetry.maximumIntervalMs,
      maximumAttempts: ticketRetry.maximumAttempts,
      nonRetryableErrorTypes: [...PERMANENT_ERROR_TYPES],
    },
  });
}

/**
 * One Hasura event. A `single` event becomes exactly one ticket; a `row` event is handed to its
 * row's workflow, which keeps that row's one ticket in step with the row.
 */
export async function hasuraEventWorkflow(input: EventWorkflowInput): Promise<EventOutcome> {
  const policy = resolvePolicy(input.policy);
  const tracker = new StatusTracker();
  const inbox = new OperatorInbox(tracker);
  setHandler(statusQuery, () => tracker.status);
  const { route } = input;
  const activities = ticketActivities(policy);
  if (route?.kind === 'row') {
    tracker.moveTo('forwarding', { rowKey: route.rowKey });
    await activities.forwardToRowWorkflow({ route, event: input.event, policy: input.policy, taskQueue: workflowInfo().taskQueue });
    tracker.moveTo('forwarded');
    return { status: 'forwarded', rowWorkflowId: route.rowWorkflowId };
  }
  const info = workflowInfo();
  // A reset run (new runId in the same chain) may follow a run that already created the ticket.
  const afterReset = info.runId !== info.firstExecutionRunId;
  const result = await runWithRecovery({ tracker, inbox, policy }, input.event, async ({ overrides, afterOperatorRetry }) => {
    tracker.moveTo('transforming');
    const mapped = await transformEvent({ event: input.event, overrides });
    tracker.moveTo('creating', { rowKey: mapped.rowKey });
    return activities.createTicket({ target: mapped.target, correlationId: input.correlationId, fields: mapped.fields, lookupFirst: afterReset || afterOperatorRetry });
  });
  if (result.kind === 'abandoned') {
    tracker.moveTo('abandoned');
    return { status: 'abandoned', reason: result.reason, lastError: result.lastError };
  }
  const created = result.value;
  tracker.recordTicket(created.ticket);
  tracker.moveTo('created', { attempts: tracker.status.attempts + created.attempt, lastError: undefined });
  const duplicatesCancelled = created.mayHaveDuplicate ? await cancelLateDuplicates({ target: created.target, correlationId: input.correlationId }, policy) : 0;
  return { status: 'created', ticket: created.ticket, reusedExisting: created.reusedExisting, duplicatesCancelled };
}

/**
 * A create that needed retries may race a timed-out attempt whose POST the server still commits.
 * Wait past the server's transaction limit, then keep the oldest ticket and cancel the others.
 */
export async function cancelLateDuplicates(ticket: { target: string; correlationId: string }, policy: EventPolicy): Promise<number> {
  await sleep(policy.duplicateCheckDelayMs);
  try {
    return (await ticketActivities(policy).cancelDuplicateTickets(ticket)).cancelled;
  } catch (error) {
    // The ticket exists; a failed clean-up must not turn a success into a failure.
    log.warn('duplicate check failed', { error: String(error) });
    return 0;
  }
}
