import { patched, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { PERMANENT_ERROR_TYPES, statusQuery } from '../contract';
import type { BridgeActivities, CreateTicketResult, EventOutcome, EventPolicy, EventWorkflowInput } from '../contract';
import type { HasuraEvent, WriteBackPlan } from '../contract';
import { isOldEvent } from './event-age';
import { forwardToRow } from './forward';
import { OperatorInbox } from './operator';
import { runWithRecovery, type StepInput } from './recovery';
import { RunPolicy } from './run-policy';
import { StatusTracker } from './status';
import { cancelLateDuplicates, ticketActivities } from './ticket-calls';
import { parkWriteBack, writeBack, WRITE_BACK_PATCH } from './write-back';

/** Issue 11's changes to this workflow's commands: histories recorded before them replay the old branch. */
export const CREATE_PATH_PATCHES = {
  /** A create that followed a possible write gets the late-duplicate check, whether it created or reused. */
  lateCheck: '11-late-check-after-possible-write',
  /** The ticket the late-duplicate check keeps is the ticket reported. */
  keptTicket: '11-report-kept-ticket',
  /** A fresh run for an old event (a redelivery after retention) looks the ticket up first. */
  oldEvent: '11-lookup-old-events',
  /** A reset run's late check also waits out the old run's attempt, which may still send its write. */
  resetWait: '11-review-reset-check-waits-old-attempt',
} as const;

const { transformEvent } = proxyLocalActivities<BridgeActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3, nonRetryableErrorTypes: [...PERMANENT_ERROR_TYPES] },
});

interface Run {
  input: EventWorkflowInput;
  tracker: StatusTracker;
  policy: RunPolicy;
  lookupOldEvents: boolean;
  resetRun: boolean;
  /** Run started with issue 13's code: write-backs may be scheduled. */
  writeBackOn: boolean;
  /** The trigger's write-backs, from transformEvent's result; unknown until it succeeded once. */
  plan?: WriteBackPlan;
}

type Created = Extract<EventOutcome, { status: 'created' }>;

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
  // Asked before the first local activity: a local activity's result may reach the code in a later workflow
  // task than on replay, and a patch marker must be met in the same workflow task both times.
  const lookupOldEvents = patched(CREATE_PATH_PATCHES.oldEvent);
  const run: Run = { input, tracker, policy, lookupOldEvents, resetRun, writeBackOn: patched(WRITE_BACK_PATCH) };
  const afterPark = run.writeBackOn ? (event: HasuraEvent) => writeBackParked(run, event) : undefined;
  const context = { tracker, inbox, policy, afterPark };
  const result = await runWithRecovery(context, input.event, resetRun, (step) => create(run, step));
  if (result.kind === 'abandoned') {
    tracker.moveTo('abandoned');
    return { status: 'abandoned', reason: result.reason, lastError: result.lastError };
  }
  const created = result.value;
  tracker.recordTicket(created.ticket);
  tracker.moveTo('created', { attempts: tracker.status.attempts + created.attempt, lastError: undefined });
  return writeBackTicket(run, await settleLateDuplicates(run, created));
}

/** The ticket into the row, when the trigger writes back; its failure is reported, the outcome stays created. */
async function writeBackTicket(run: Run, outcome: Created): Promise<Created> {
  if (!run.writeBackOn || !run.plan?.onTicket) return outcome;
  const call = { event: run.input.event, action: 'created' as const, ticket: outcome.ticket };
  const report = await writeBack(await run.policy.get(), call);
  run.tracker.status.writeBack = report;
  return { ...outcome, writeBack: report };
}

/** A parked event's error into the row (`error_columns`); unknown plan (the transform failed): nothing. */
async function writeBackParked(run: Run, event: HasuraEvent): Promise<void> {
  if (!run.plan?.onPark) return;
  run.tracker.status.writeBack = await writeBack(await run.policy.get(), parkWriteBack(event, run.tracker.status));
}

async function create(run: Run, step: StepInput): Promise<CreateTicketResult> {
  const { input, tracker, policy, lookupOldEvents } = run;
  tracker.moveTo('transforming');
  const mapped = await transformEvent({ event: input.event, overrides: step.overrides });
  policy.learn(mapped.policy);
  run.plan = mapped.writeBack;
  tracker.moveTo('creating', { rowKey: mapped.rowKey });
  const known = await policy.get();
  const ticketMayExist =
    step.ticketMayExist || (lookupOldEvents && isOldEvent(input.event, known, workflowInfo().startTime));
  const call = { target: mapped.target, correlationId: input.correlationId, fields: mapped.fields, ticketMayExist };
  const created = await ticketActivities(known).createTicket(call);
  // A worker from before the field does not say; then any retry, or a lookup-first create, may race a write.
  return { ...created, ticketMayExist: created.ticketMayExist ?? (ticketMayExist || created.attempt > 1) };
}

/**
 * After a create that followed a possible write (an earlier attempt, run or operator retry), an older
 * write may commit late: wait, keep the oldest ticket, cancel the rest, and report the one kept.
 */
async function settleLateDuplicates(
  { input, tracker, policy, resetRun }: Run,
  created: CreateTicketResult,
): Promise<Created> {
  const { ticket, reusedExisting } = created;
  const before11 = created.attempt > 1 && !reusedExisting;
  // Issue 16 on, asked only where the branches differ: a patch marker in a later workflow task is a billable action.
  const same = tracker.fewerActions && created.ticketMayExist === before11;
  const check = !same && patched(CREATE_PATH_PATCHES.lateCheck) ? created.ticketMayExist : before11;
  if (!check) return { status: 'created', ticket, reusedExisting, duplicatesCancelled: 0 };
  const known = await policy.get();
  const ref = { target: created.target, correlationId: input.correlationId };
  const late = await cancelLateDuplicates(ref, known, lateCheckDelayMs(resetRun, known));
  const outcome = { status: 'created' as const, ticket, reusedExisting, duplicatesCancelled: late.cancelled };
  if (!late.kept || late.kept.id === ticket.id || !patched(CREATE_PATH_PATCHES.keptTicket)) return outcome;
  // An earlier write survived as the oldest ticket: it is the event's ticket, wherever one is reported.
  tracker.recordTicket(late.kept);
  tracker.moveTo('created');
  return { ...outcome, ticket: late.kept, reusedExisting: true };
}

/**
 * The late check covers writes sent before this run's create finished. A reset run may follow an attempt of the old
 * run that is still inside its start-to-close timeout and may send its write until then: the check waits that out too.
 */
function lateCheckDelayMs(resetRun: boolean, { duplicateCheckDelayMs, attemptTimeoutMs }: EventPolicy): number {
  if (!resetRun || !patched(CREATE_PATH_PATCHES.resetWait)) return duplicateCheckDelayMs;
  return duplicateCheckDelayMs + attemptTimeoutMs;
}
