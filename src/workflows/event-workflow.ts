import { ActivityFailure, ApplicationFailure, log, proxyActivities, proxyLocalActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { BridgeActivities } from '../activities';
import type { FailureDetails } from '../activities/failures';
import { PERMANENT_ERROR_TYPES } from '../ticketing/errors';
import { statusQuery } from './messages';
import { notifyOperators } from './notify';
import { OperatorInbox } from './operator';
import { resolvePolicy } from './policy';
import { StatusTracker } from './status';
import type { EventOutcome, EventPolicy, EventWorkflowInput, TicketSummary } from './types';

const { transformEvent } = proxyLocalActivities<BridgeActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3, nonRetryableErrorTypes: [...PERMANENT_ERROR_TYPES] },
});

function ticketActivities(policy: EventPolicy) {
  const { ticketRetry } = policy;
  return proxyActivities<BridgeActivities>({
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

function describeFailure(error: ActivityFailure): { message: string; type?: string; attempts: number } {
  const cause = error.cause;
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0] as FailureDetails | undefined;
    return { message: cause.message, type: cause.type ?? undefined, attempts: details?.attempt ?? 1 };
  }
  return { message: cause?.message ?? error.message, type: cause?.name, attempts: 1 };
}

/**
 * One Hasura event → exactly one ticket. Transient failures are retried by Temporal; when retries
 * run out or the error is permanent, operators are notified once and the event parks until an
 * operator signals `retry` (optionally with field overrides) or `abandon`, or the park deadline passes.
 */
export async function hasuraEventWorkflow(input: EventWorkflowInput): Promise<EventOutcome> {
  const policy = resolvePolicy(input.policy);
  const { createTicket, cancelDuplicateTickets } = ticketActivities(policy);
  const tracker = new StatusTracker();
  const inbox = new OperatorInbox(tracker);
  setHandler(statusQuery, () => tracker.status);

  const info = workflowInfo();
  // A reset run (new runId in the same chain) may follow a run that already created the ticket.
  let lookupFirst = info.runId !== info.firstExecutionRunId;
  let overrides: Record<string, string> = {};
  for (;;) {
    try {
      tracker.moveTo('transforming');
      const mapped = await transformEvent({ event: input.event, overrides });
      tracker.moveTo('creating', { rowKey: mapped.rowKey });
      const created = await createTicket({ correlationId: input.correlationId, fields: mapped.fields, lookupFirst });
      tracker.recordTicket(created.ticket);
      tracker.moveTo('created', { attempts: tracker.status.attempts + created.attempt, lastError: undefined });
      const duplicatesCancelled = created.attempt > 1 && !created.reusedExisting ? await cancelLateDuplicates(input.correlationId, policy, cancelDuplicateTickets) : 0;
      return { status: 'created', ticket: created.ticket, reusedExisting: created.reusedExisting, duplicatesCancelled };
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      const failure = describeFailure(error);
      const parkedUntil = new Date(Date.now() + policy.parkTimeoutMs).toISOString();
      tracker.moveTo('waiting-for-operator', { attempts: tracker.status.attempts + failure.attempts, lastError: { message: failure.message, type: failure.type }, parkedUntil });
      await notifyOperators(input, tracker.status);
      const decision = await inbox.waitForDecision(policy.parkTimeoutMs);
      if (decision.kind === 'abandon') {
        tracker.moveTo('abandoned', { parkedUntil: undefined });
        return { status: 'abandoned', reason: decision.reason, lastError: failure.message };
      }
      if (decision.kind === 'timeout') {
        tracker.moveTo('failed', { parkedUntil: undefined });
        throw ApplicationFailure.nonRetryable(`no operator action within the park deadline; last error: ${failure.message}`, 'EventParkExpired');
      }
      overrides = { ...overrides, ...decision.overrides };
      lookupFirst = true;
      tracker.status.operatorRetries += 1;
      log.info('operator retry', { overrides: Object.keys(overrides) });
    }
  }
}

/**
 * A create that needed retries may race a timed-out attempt whose POST the server still commits.
 * Wait past the server's transaction limit, then keep the oldest ticket and cancel the others.
 */
async function cancelLateDuplicates(
  correlationId: string,
  policy: EventPolicy,
  cancelDuplicateTickets: BridgeActivities['cancelDuplicateTickets'],
): Promise<number> {
  await sleep(policy.duplicateCheckDelayMs);
  try {
    return (await cancelDuplicateTickets({ correlationId })).cancelled;
  } catch (error) {
    // The ticket exists; a failed clean-up must not turn a success into a failure.
    log.warn('duplicate check failed', { error: String(error) });
    return 0;
  }
}

export type { TicketSummary };
