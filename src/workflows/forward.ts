import { patched, workflowInfo } from '@temporalio/workflow';
import type { EventOutcome, EventRoute, EventWorkflowInput } from '../contract';
import { runWithRecovery, type RecoveryContext } from './recovery';
import { ticketActivities } from './ticket-calls';

/** Runs recorded before issue 12 have no marker of it: a failed forward failed the event workflow. */
export const FORWARD_PARK_PATCH = '12-forward-park';

/**
 * Hands a lifecycle event to its row's workflow. A forward that fails for good parks and notifies like
 * any ticket failure: the event waits for an operator's retry or abandon instead of failing unseen.
 */
export async function forwardToRow(
  context: RecoveryContext,
  input: EventWorkflowInput,
  route: Extract<EventRoute, { kind: 'row' }>,
): Promise<EventOutcome> {
  const { tracker, policy } = context;
  tracker.moveTo('forwarding', { rowKey: route.rowKey });
  const forward = { route, event: input.event, policy: input.policy, taskQueue: workflowInfo().taskQueue };
  const send = async () => ticketActivities(await policy.get()).forwardToRowWorkflow(forward);
  if (!patched(FORWARD_PARK_PATCH)) await send();
  else {
    const result = await runWithRecovery(context, input.event, false, send);
    if (result.kind === 'abandoned') {
      tracker.moveTo('abandoned');
      return { status: 'abandoned', reason: result.reason, lastError: result.lastError };
    }
  }
  tracker.moveTo('forwarded');
  return { status: 'forwarded', rowWorkflowId: route.rowWorkflowId };
}
