import { proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { PERMANENT_ERROR_TYPES, statusQuery } from '../contract';
import type { BridgeActivities, EventOutcome, EventWorkflowInput } from '../contract';
import { forwardToRow } from './forward';
import { OperatorInbox } from './operator';
import { runWithRecovery } from './recovery';
import { RunPolicy } from './run-policy';
import { StatusTracker } from './status';
import { cancelLateDuplicates, ticketActivities } from './ticket-calls';

const { transformEvent } = proxyLocalActivities<BridgeActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3, nonRetryableErrorTypes: [...PERMANENT_ERROR_TYPES] },
});

/**
 * One Hasura event. A `single` event becomes exactly one ticket; a `row` event is handed to its
 * row's workflow, which keeps that row's one ticket in step with the row.
 */
export async function hasuraEventWorkflow(input: EventWorkflowInput): Promise<EventOutcome> {
  const policy = new RunPolicy(input.policy);
  const tracker = new StatusTracker();
  const inbox = new OperatorInbox(tracker);
  setHandler(statusQuery, () => tracker.status);
  const { route } = input;
  if (route?.kind === 'row') return forwardToRow({ tracker, inbox, policy }, input, route);
  const info = workflowInfo();
  // A reset run (new runId in the same chain) may follow a run that already created the ticket.
  const resetRun = info.runId !== info.firstExecutionRunId;
  const result = await runWithRecovery({ tracker, inbox, policy }, input.event, resetRun, async (step) => {
    tracker.moveTo('transforming');
    const mapped = await transformEvent({ event: input.event, overrides: step.overrides });
    policy.learn(mapped.policy);
    tracker.moveTo('creating', { rowKey: mapped.rowKey });
    const create = { target: mapped.target, correlationId: input.correlationId, fields: mapped.fields };
    return ticketActivities(await policy.get()).createTicket({ ...create, ticketMayExist: step.ticketMayExist });
  });
  if (result.kind === 'abandoned') {
    tracker.moveTo('abandoned');
    return { status: 'abandoned', reason: result.reason, lastError: result.lastError };
  }
  const created = result.value;
  tracker.recordTicket(created.ticket);
  tracker.moveTo('created', { attempts: tracker.status.attempts + created.attempt, lastError: undefined });
  // A retried create that did not find the ticket may race an earlier attempt committed late.
  const ticketMayExist = created.attempt > 1 && !created.reusedExisting;
  const duplicatesCancelled = ticketMayExist
    ? await cancelLateDuplicates({ target: created.target, correlationId: input.correlationId }, await policy.get())
    : 0;
  return { status: 'created', ticket: created.ticket, reusedExisting: created.reusedExisting, duplicatesCancelled };
}
