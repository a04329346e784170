import { ActivityFailure, ApplicationFailure, log } from '@temporalio/workflow';
import type { FailureDetails, HasuraEvent } from '../contract';
import { notifyOperators } from './notify';
import type { OperatorInbox } from './operator';
import type { RunPolicy } from './run-policy';
import type { StatusTracker } from './status';

export interface RecoveryContext {
  tracker: StatusTracker;
  inbox: OperatorInbox;
  policy: RunPolicy;
}

export interface StepInput {
  /** Operator-supplied field values; empty until an operator retries with overrides. */
  overrides: Record<string, string>;
  /** May an earlier run or attempt have created the ticket? True after a reset and after an operator retry. */
  ticketMayExist: boolean;
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
export async function runWithRecovery<T>(
  context: RecoveryContext,
  event: HasuraEvent,
  ticketMayExist: boolean,
  step: (input: StepInput) => Promise<T>,
): Promise<Recovered<T>> {
  const { tracker, inbox } = context;
  const input: StepInput = { overrides: {}, ticketMayExist };
  for (;;) {
    try {
      return { kind: 'done', value: await step(input) };
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      const failure = describeFailure(error);
      const { parkTimeoutMs } = await context.policy.get();
      const parkedUntil = new Date(Date.now() + parkTimeoutMs).toISOString();
      const lastError = { message: failure.message, type: failure.type };
      const attempts = tracker.status.attempts + failure.attempts;
      tracker.moveTo('waiting-for-operator', { attempts, lastError, parkedUntil });
      await notifyOperators(event, tracker.status);
      const decision = await inbox.waitForDecision(parkTimeoutMs);
      tracker.status.parkedUntil = undefined;
      if (decision.kind === 'abandon') {
        return { kind: 'abandoned', reason: decision.reason, lastError: failure.message };
      }
      if (decision.kind === 'timeout') {
        tracker.moveTo('failed');
        const reason = `no operator action within the park deadline; last error: ${failure.message}`;
        throw ApplicationFailure.nonRetryable(reason, 'EventParkExpired');
      }
      input.overrides = { ...input.overrides, ...decision.overrides };
      input.ticketMayExist = true;
      tracker.status.operatorRetries += 1;
      log.info('operator retry', { overrides: Object.keys(input.overrides) });
    }
  }
}
