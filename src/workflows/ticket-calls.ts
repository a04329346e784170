import { log, proxyActivities, sleep } from '@temporalio/workflow';
import { PERMANENT_ERROR_TYPES, type BridgeActivities, type EventPolicy } from '../contract';
import type { DuplicateCheckInput, DuplicateCheckResult } from '../contract';

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
 * A create that followed a possible write may race that write, committed late by the server. Wait past
 * the server's transaction limit (`delayMs`), then keep the oldest ticket and cancel the others. Returns
 * the kept ticket (absent when the check failed or found nothing): the one the workflow must report.
 * `failed`: the check's error after every attempt of the ticket schedule; nothing is known of late tickets then.
 */
export async function cancelLateDuplicates(
  ticket: DuplicateCheckInput,
  policy: EventPolicy,
  delayMs = policy.duplicateCheckDelayMs,
): Promise<DuplicateCheckResult & { failed?: string }> {
  await sleep(delayMs);
  try {
    return await ticketActivities(policy).cancelDuplicateTickets(ticket);
  } catch (error) {
    // After a create the ticket exists; a failed clean-up must not turn a success into a failure.
    log.warn('duplicate check failed', { error: String(error) });
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    return { cancelled: 0, failed: cause instanceof Error ? cause.message : String(cause) };
  }
}
