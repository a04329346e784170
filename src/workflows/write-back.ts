import { ActivityFailure, log, proxyActivities } from '@temporalio/workflow';
import { DEFAULT_POLICY, type BridgeActivities, type EventPolicy, type EventStatus } from '../contract';
import type { HasuraEvent, WriteBackInput, WriteBackReport } from '../contract';

/**
 * Issue 13 adds a write-back activity after ticket work and parks, for triggers with `writeback:`.
 * Asked at run start; runs recorded before it replay without the activity whatever the config says.
 */
export const WRITE_BACK_PATCH = '13-writeback';

/** Its own schedule and the workflows' queue: a database outage is retried here, never as ticket work. */
function writeBackActivities(policy: EventPolicy) {
  const retry = policy.writeBackRetry ?? DEFAULT_POLICY.writeBackRetry!;
  return proxyActivities<BridgeActivities>({
    startToCloseTimeout: policy.attemptTimeoutMs,
    retry: {
      initialInterval: retry.initialIntervalMs,
      backoffCoefficient: retry.backoffCoefficient,
      maximumInterval: retry.maximumIntervalMs,
      maximumAttempts: retry.maximumAttempts,
    },
  });
}

/**
 * Writes the ticket (or the park's error) into the row. A write-back that fails for good is reported
 * (status, outcome, a warning in the log) and never fails the event: the ticket is where it should be.
 */
export async function writeBack(policy: EventPolicy, input: WriteBackInput): Promise<WriteBackReport> {
  const { action } = input;
  try {
    const { rows } = await writeBackActivities(policy).writeBackRow(input);
    return { status: 'written', action, rows };
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    const message = error.cause?.message ?? error.message;
    log.warn('write-back failed after its retries; the ticket is unaffected', { action, error: message });
    return { status: 'failed', action, error: message };
  }
}

/** The park's error, from the status the park just recorded. */
export function parkWriteBack(event: HasuraEvent, status: EventStatus): WriteBackInput {
  const { lastError, attempts, parkedUntil } = status;
  const failure = { message: lastError?.message ?? 'unknown error', type: lastError?.type, attempts, parkedUntil };
  return { event, action: 'parked', ticket: status.ticket, failure };
}
