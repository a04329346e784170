import { ActivityFailure, ApplicationFailure, log } from '@temporalio/workflow';
import type { FailureDetails } from '../activities/failures';
import { notifyOperators } from './notify';
import type { OperatorInbox } from './operator';
import type { StatusTracker } from './status';
import type { EventPolicy, HasuraEvent } from './types';

export interface RecoveryContext {
  tracker: StatusTracker;
  inbox: OperatorInbox;
  policy: EventPolicy;
}

export interface StepInput {
  /** Operator-supplied field values; empty until an operator retries with overrides. */
  overrides: Record<string, string>;
  /** True after an operator retry: an earlier attempt may have written the ticket. */
  afterOperatorRetry: boolean;
}

export type Recovered<T> = { kind: 'done'; value: T } | { kind: 'abandoned'; reason: string; lastError: string };

function describeFailure(error: ActivityFailure): { message: string; type?: string; attempts: number } {
  const cause = error.cause;
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0] as FailureDetails | undefined;
    return { message: cause.message, type: cause.type ?? undefined, attempts: details?.attempt ?? 1 };
  }
  return { message: cause?.message ?? error.message, type: cause?.name, attempts: 1 };
}

/**
 * Runs `step` until it succeeds. Transient failures were already retried by Temporal inside the
 * step; what reaches here is final, so: notify once, park, and follow the operator — `retry`
 * (with overrides) runs the step again, `abandon` gives up, the deadline fails the workflow.
 */
export async function runWithRecovery<T>(context: RecoveryContext, event: HasuraEvent, step: (input: StepInput) => Promise<T>): Promise<Recovered<T>> {
  const { tracker, inbox, policy } = context;
  const input: StepInput = { overrides: {}, afterOperatorRetry: false };
  for (;;) {
    try {
      return { kind: 'done', value: await step(input) };
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      const failure = describeFailure(error);
      const parkedUntil = new Date(Date.now() + policy.parkTimeoutMs).toISOString();
      tracker.moveTo('waiting-for-operator', { attempts: tracker.status.attempts + failure.attempts, lastError: { message: failure.message, type: failure.type }, parkedUntil });
      await notifyOperators(event, tracker.status);
      const decision = await inbox.waitForDecision(policy.parkTimeoutMs);
      tracker.status.parkedUntil = undefined;
      if (decision.kind === 'abandon') return { kind: 'abandoned', reason: decision.reason, lastError: failure.message };
      if (decision.kind === 'timeout') {
        tracker.moveTo('failed');
        throw ApplicationFailure.nonRetryable(`no operator action within the park deadline; last error: ${failure.message}`, 'EventParkExpired');
      }
      input.overrides = { ...input.overrides, ...decision.overrides };
      input.afterOperatorRetry = true;
      tracker.status.operatorRetries += 1;
      log.info('operator retry', { overrides: Object.keys(input.overrides) });
    }
  }
}
