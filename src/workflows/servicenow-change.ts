import { log, patched, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import { PERMANENT_ERROR_TYPES, resolvePolicy, type BridgeActivities, type EventPolicy } from '../contract';
import { readWaitingForRow, WAIT_FOR_ROW_TICKET_PATCH, type SettledDecision } from './servicenow-row-wait';
import type {
  InboundActivities,
  InboundDecision,
  InboundWriteResult,
  ReconcileResult,
  ServiceNowChange,
  ServiceNowChangeResult,
} from '../contract';

/**
 * Read-and-write rounds before a change workflow stops chasing a record that keeps moving; the next
 * change's own workflow (or the reconciler) carries on from there.
 */
const MAX_ROUNDS = 5;

const SWEEP_TIMEOUT_MS = 15 * 60_000;

type WriteDecision = Extract<InboundDecision, { kind: 'write' }>;
type Reads = Pick<InboundActivities, 'readServiceNowChange'>;

const { workerPolicy } = proxyLocalActivities<BridgeActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

/**
 * Issue 14's review: the re-read after a write is retried until it answers (Temporal's backoff, capped at the
 * schedule's maximum interval), not for the schedule's attempts only: a run that wrote and then failed while
 * ServiceNow was away left an older change's values in the row for good (the sweep restarts only the record's
 * current change, whose run had completed). Only a permanent error ends it, and that one tells the operators.
 */
const REREAD_UNTIL_SEEN = '14-reread-until-seen';

/**
 * ServiceNow reads and row writes on the worker's ticket schedule; permanent errors fail at once. `reread`:
 * without a maximum of attempts.
 */
function inboundActivities(policy: EventPolicy, kind: 'calls' | 'sweep' | 'reread' = 'calls') {
  const sweep = kind === 'sweep';
  return proxyActivities<InboundActivities>({
    taskQueue: policy.ticketTaskQueue,
    // A sweep reads many pages: it heartbeats each one within the attempt timeout instead.
    startToCloseTimeout: sweep ? SWEEP_TIMEOUT_MS : policy.attemptTimeoutMs,
    heartbeatTimeout: sweep ? policy.attemptTimeoutMs : undefined,
    retry: {
      initialInterval: policy.ticketRetry.initialIntervalMs,
      backoffCoefficient: policy.ticketRetry.backoffCoefficient,
      maximumInterval: policy.ticketRetry.maximumIntervalMs,
      maximumAttempts: kind === 'reread' ? undefined : policy.ticketRetry.maximumAttempts,
      nonRetryableErrorTypes: [...PERMANENT_ERROR_TYPES],
    },
  });
}

/**
 * The run's result, computed from what the activities returned (no command of its own, so histories of
 * runs before it replay alike). The bridge's own change that found the row already holding its values is
 * the echo: reported ignored, though written (the write changed nothing). A capped run says so.
 */
function finished(
  decision: WriteDecision,
  write: InboundWriteResult,
  rounds: number,
  capped = false,
): ServiceNowChangeResult {
  const { modCount, own } = decision;
  const { rows, changed } = write;
  if (capped) {
    const why = `record still moving after ${MAX_ROUNDS} rounds; its newer changes are left to their own runs`;
    log.warn(`ServiceNow change stopped at the round cap: ${why}`, { modCount, rows });
  }
  const result: ServiceNowChangeResult = { outcome: 'written', modCount, rows, rounds };
  if (changed !== undefined) result.changed = changed;
  if (capped) result.capped = true;
  if (own && changed === 0 && rounds === 1) {
    return { ...result, outcome: 'ignored', reason: "the bridge's own change: the row already holds its values" };
  }
  return result;
}

/**
 * One ServiceNow change flowing back to its source row. The record is re-read (the call's body is
 * never trusted) and its current values written, whoever made the change (the write only touches a
 * row whose values differ); then it is read again, and while it has moved on (another change landed
 * during the write) the newer values are written. So whichever change's workflow writes last has seen
 * the record unchanged after its write: an older change can overwrite a newer one only until that
 * round, never at the end (README "ServiceNow back to the row").
 */
export async function servicenowChangeWorkflow(change: ServiceNowChange): Promise<ServiceNowChangeResult> {
  const waitForRow = patched(WAIT_FOR_ROW_TICKET_PATCH);
  const policy = resolvePolicy({}, await workerPolicy());
  // Before the wait a read never answers `wait` (it is not asked to): its retries were the only wait.
  const read = (reads: Reads, asked: ServiceNowChange) =>
    waitForRow
      ? readWaitingForRow(reads, policy, asked)
      : (reads.readServiceNowChange(asked) as Promise<SettledDecision>);
  const calls = inboundActivities(policy);
  const first = await read(calls, change);
  if (first.kind === 'ignore') return { outcome: 'ignored', reason: first.reason, modCount: first.modCount, rounds: 1 };
  let decision: WriteDecision = first;
  for (let round = 1; ; round += 1) {
    const write = await calls.writeInboundRow(decision.write);
    const written: number = decision.modCount;
    if (write.rows === 0) return finished(decision, write, round);
    if (round >= MAX_ROUNDS) return finished(decision, write, round, true);
    // Asked right after the write (an ordinary activity), where replay asks it too.
    const reread = patched(REREAD_UNTIL_SEEN) ? inboundActivities(policy, 'reread') : calls;
    const again = await read(reread, { ...change, modCount: written });
    if (again.kind === 'ignore' || again.modCount === written) return finished(decision, write, round);
    decision = again;
  }
}

/**
 * The reconciler's scheduled run: one sweep from where the last completed run stopped (its result,
 * which a Schedule hands to the next run as the last completion result, so progress lives in Temporal
 * and survives worker restarts). The first run has none and sweeps the activity's first window.
 */
export async function servicenowReconcileWorkflow(): Promise<ReconcileResult> {
  const last = workflowInfo().lastResult as ReconcileResult | undefined;
  const policy = resolvePolicy({}, await workerPolicy());
  // Same command as before positions: only the activity's input grows (Temporal does not compare inputs on replay).
  const { since, cursors, positions } = last ?? {};
  return inboundActivities(policy, 'sweep').sweepServiceNowChanges({ since, cursors, positions });
}
