import { RetryState } from '@temporalio/common';
import { ActivityFailure, ApplicationFailure, log, TimeoutFailure } from '@temporalio/workflow';
import { hasChange } from './versions';
import type { FailureDetails, HasuraEvent } from '../contract';
import { notifyOperators } from './notify';
import type { OperatorDecision, OperatorInbox } from './operator';
import type { RunPolicy } from './run-policy';
import type { StatusTracker } from './status';

/**
 * Before this patch a local activity's failure (transformEvent: a template that cannot render) failed
 * the workflow, because it does not arrive as an ActivityFailure. With it, it parks like any other.
 * Asked when recovery starts, not when the failure arrives: a live run may see a local activity's
 * failure one workflow task later than its replay does, and a patch marker must meet its call.
 */
export const PARK_LOCAL_ACTIVITY_PATCH = '11-park-local-activity-failure';

/**
 * Before this patch a worker policy that could not be read while parking (its local activity failed)
 * failed the workflow; with it the event parks on the input's policy over the defaults. Asked when
 * recovery starts, for the same reason as the patch above.
 */
export const PARK_WITHOUT_WORKER_POLICY_PATCH = '11-review-park-without-worker-policy';

/**
 * Asks the two patches above in a run's first workflow task, where its other markers are recorded: on Temporal Cloud
 * all markers of one workflow task are one billable action, and a run that first asks them at its first recovery pays
 * a second one (issue 16: a row run's first change). Safe for histories that recorded them later: on replay,
 * `patched()` answers false while the marker has not been met and does not keep that answer (@temporalio/workflow
 * 1.24), so runWithRecovery's own ask meets the marker where it was recorded, and `row-signalled-by-webhook` replays.
 */
export function askRecoveryPatches(): void {
  hasChange(PARK_LOCAL_ACTIVITY_PATCH);
  hasChange(PARK_WITHOUT_WORKER_POLICY_PATCH);
}

/**
 * Review of issue 16: an `abandon` of a park that followed a possible write looks for a late ticket before it ends
 * the event (./ticket-outcome). Asked right after the failed activity's result, only when a write may exist.
 */
export const ABANDON_LOOKS_UP_PATCH = '16-review-abandon-looks-up-late-write';

export interface RecoveryContext {
  tracker: StatusTracker;
  inbox: OperatorInbox;
  policy: RunPolicy;
  /** After the park is recorded and notified, before the wait: the row's error write-back (issue 13). */
  afterPark?: (event: HasuraEvent) => Promise<void>;
  /** An abandon after a possible write looks for a late ticket (the event workflows; ABANDON_LOOKS_UP_PATCH). */
  abandonLooksUp?: boolean;
}

export interface StepInput {
  /** Operator-supplied field values; empty until an operator retries with overrides. */
  overrides: Record<string, string>;
  /** May an earlier run or attempt have created the ticket? True after a reset and after an operator retry. */
  ticketMayExist: boolean;
}

export type Recovered<T> =
  | { kind: 'done'; value: T }
  /** `writeMayExist`: an attempt of the step may still commit a ticket, and the abandon must look for it. */
  | { kind: 'abandoned'; reason: string; lastError: string; writeMayExist?: boolean };

/** A step's final failure: a remote activity's ActivityFailure, or a local activity's bare ApplicationFailure. */
type StepFailure = ActivityFailure | ApplicationFailure;

function parks(error: unknown, parkLocalFailures: boolean): error is StepFailure {
  return error instanceof ActivityFailure || (parkLocalFailures && error instanceof ApplicationFailure);
}

/**
 * May an attempt of the failed step have stored the ticket: after an earlier write, a retried attempt, a timeout?
 * An earlier write counts whatever failed now: a local activity (a template) failing after an operator retry too.
 */
export function writeMayExist(error: StepFailure, stepAfterWrite: boolean): boolean {
  if (stepAfterWrite) return true;
  if (!(error instanceof ActivityFailure)) return false;
  const { cause } = error;
  const details = cause instanceof ApplicationFailure ? (cause.details?.[0] as FailureDetails | undefined) : undefined;
  const retried = (details?.attempt ?? 1) > 1 || error.retryState === RetryState.MAXIMUM_ATTEMPTS_REACHED;
  return retried || cause instanceof TimeoutFailure;
}

/** `maximumAttempts`: the ticket calls' policy, the only remote activities a step runs. */
function describeFailure(error: StepFailure, maximumAttempts: number) {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  const details = cause instanceof ApplicationFailure ? (cause.details?.[0] as FailureDetails | undefined) : undefined;
  // A timeout carries no details of ours; the retry state says whether every attempt of the policy ran.
  const exhausted = error instanceof ActivityFailure && error.retryState === RetryState.MAXIMUM_ATTEMPTS_REACHED;
  return {
    message: cause?.message ?? error.message,
    type: (cause instanceof ApplicationFailure ? cause.type : cause?.name) ?? undefined,
    attempts: details?.attempt ?? (exhausted ? maximumAttempts : 1),
  };
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
  const input: StepInput = { overrides: {}, ticketMayExist };
  const parkLocalFailures = hasChange(PARK_LOCAL_ACTIVITY_PATCH);
  const parkWithoutPolicy = hasChange(PARK_WITHOUT_WORKER_POLICY_PATCH);
  for (;;) {
    let failure: StepFailure;
    try {
      return { kind: 'done', value: await step(input) };
    } catch (error) {
      if (!parks(error, parkLocalFailures)) throw error;
      failure = error;
    }
    // Asked here, right after the activity's result, as replay meets it; a marker only where a write may exist.
    const lookUp =
      context.abandonLooksUp && writeMayExist(failure, input.ticketMayExist) && hasChange(ABANDON_LOOKS_UP_PATCH);
    const { decision, lastError } = await park(context, event, failure, parkWithoutPolicy);
    if (decision.kind === 'abandon') {
      return { kind: 'abandoned', reason: decision.reason, lastError, ...(lookUp && { writeMayExist: true }) };
    }
    if (decision.kind === 'timeout') {
      context.tracker.moveTo('failed');
      const reason = `no operator action within the park deadline; last error: ${lastError}`;
      throw ApplicationFailure.nonRetryable(reason, 'EventParkExpired');
    }
    input.overrides = { ...input.overrides, ...decision.overrides };
    input.ticketMayExist = true;
    context.tracker.status.operatorRetries += 1;
    log.info('operator retry', { overrides: Object.keys(input.overrides) });
  }
}

/** Parks the event, tells people, and waits for the operator's decision or the park deadline. */
async function park(
  { tracker, inbox, policy, afterPark }: RecoveryContext,
  event: HasuraEvent,
  error: StepFailure,
  parkWithoutPolicy: boolean,
): Promise<{ decision: OperatorDecision; lastError: string }> {
  const { parkTimeoutMs, ticketRetry } = await (parkWithoutPolicy ? policy.getForPark() : policy.get());
  const failure = describeFailure(error, ticketRetry.maximumAttempts);
  tracker.moveTo('waiting-for-operator', {
    attempts: tracker.status.attempts + failure.attempts,
    lastError: { message: failure.message, type: failure.type },
    parkedUntil: new Date(Date.now() + parkTimeoutMs).toISOString(),
    parks: tracker.status.parks + 1,
  });
  await notifyOperators(event, tracker.status);
  // Decisions arriving meanwhile are kept by the inbox (the state is already waiting-for-operator).
  await afterPark?.(event);
  const decision = await inbox.waitForDecision(parkTimeoutMs);
  tracker.status.parkedUntil = undefined;
  return { decision, lastError: failure.message };
}
