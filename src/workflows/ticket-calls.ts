import { log, proxyActivities, sleep } from '@temporalio/workflow';
import { PERMANENT_ERROR_TYPES, type BridgeActivities, type DuplicateCheckInput, type EventPolicy } from '../contract';

/** Ticket calls of both workflows: the policy's schedule; permanent errors fail at once and park the event. */
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
 * A create that needed retries may race a timed-out attempt whose POST the server still commits.
 * Wait past the server's transaction limit, then keep the oldest ticket and cancel the others.
 */
export async function cancelLateDuplicates(ticket: DuplicateCheckInput, policy: EventPolicy): Promise<number> {
  await sleep(policy.duplicateCheckDelayMs);
  try {
    return (await ticketActivities(policy).cancelDuplicateTickets(ticket)).cancelled;
  } catch (error) {
    // The ticket exists; a failed clean-up must not turn a success into a failure.
    log.warn('duplicate check failed', { error: String(error) });
    return 0;
  }
}
