import type { CreateTicketResult, EventOutcome, EventPolicy, EventWorkflowInput } from '../contract';
import type { HasuraEvent, WriteBackPlan } from '../contract';
import type { OperatorInbox } from './operator';
import type { RecoveryContext, Recovered } from './recovery';
import type { RunPolicy } from './run-policy';
import type { StatusTracker } from './status';
import { cancelLateDuplicates } from './ticket-calls';
import { hasChange } from './versions';
import { parkWriteBack, writeBack } from './write-back';

/** Issue 11's changes to the create path's commands: histories recorded before them replay the old branch. */
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

/** Review of issue 16: changes to the create path's commands, asked through hasChange (a marker for every type). */
export const OVERLAP_PATCHES = {
  /** singleTicketWorkflow's late check after a retry also waits out an earlier attempt still in its window. */
  overlapWait: '16-review-late-check-waits-overlapping-attempt',
} as const;

/** One single-ticket event's run, as both event workflow types keep it. */
export interface TicketRun {
  input: EventWorkflowInput;
  tracker: StatusTracker;
  inbox: OperatorInbox;
  policy: RunPolicy;
  resetRun: boolean;
  /**
   * The create's attempts may overlap: a heartbeat timeout starts the next one while the last may still send its
   * write until its TICKET_ATTEMPT_TIMEOUT (singleTicketWorkflow); a start-to-close timeout ends it first.
   */
  attemptsOverlap?: boolean;
  /** The ticket target the mapping named, once it ran: where an abandon looks for a late ticket. */
  target?: string;
  /** Run started with issue 13's code: write-backs may be scheduled. */
  writeBackOn: boolean;
  /** The trigger's write-backs, from the mapping's result; unknown until it succeeded once. */
  plan?: WriteBackPlan;
}

type Created = Extract<EventOutcome, { status: 'created' }>;

/** How a failed create parks: the operator inbox, and the row's error write-back when the trigger has one. */
export function recoveryContext(run: TicketRun): RecoveryContext {
  const { tracker, inbox, policy } = run;
  const afterPark = run.writeBackOn ? (event: HasuraEvent) => writeBackParked(run, event) : undefined;
  return { tracker, inbox, policy, afterPark, abandonLooksUp: true };
}

/** The event's outcome once the create (with its parks and operator decisions) is over. */
export async function settleOutcome(run: TicketRun, result: Recovered<CreateTicketResult>): Promise<EventOutcome> {
  const { tracker } = run;
  if (result.kind === 'abandoned') return settleAbandon(run, result);
  const created = result.value;
  tracker.recordTicket(created.ticket);
  tracker.moveTo('created', { attempts: tracker.status.attempts + created.attempt, lastError: undefined });
  return writeBackTicket(run, await settleLateDuplicates(run, created));
}

/**
 * An abandon stops the retries; it cannot undo a write an earlier attempt may still commit. After a possible write
 * it waits that attempt's late window and looks the correlation id up: a ticket found is the event's (the oldest
 * kept, the others cancelled), reported and written back as created, with a note; none found: abandoned.
 */
async function settleAbandon(run: TicketRun, result: Extract<Recovered<unknown>, { kind: 'abandoned' }>) {
  const { tracker, input, target } = run;
  const { reason, lastError } = result;
  if (result.writeMayExist && target) {
    tracker.status.operatorNote = `abandon accepted: ${reason}; looking for a ticket an earlier attempt may commit`;
    tracker.moveTo('creating');
    const known = await run.policy.get();
    const overlap = run.attemptsOverlap || run.resetRun ? known.attemptTimeoutMs : 0;
    const ref = { target, correlationId: input.correlationId };
    const late = await cancelLateDuplicates(ref, known, known.duplicateCheckDelayMs + overlap);
    if (late.kept) {
      const note =
        `abandon came after a possible write: ${late.kept.number} exists, ` +
        `so the event is created with it (abandon reason: ${reason})`;
      tracker.recordTicket(late.kept);
      tracker.status.operatorNote = note;
      tracker.moveTo('created');
      const outcome = { status: 'created' as const, ticket: late.kept, reusedExisting: true, note };
      return writeBackTicket(run, { ...outcome, duplicatesCancelled: late.cancelled });
    }
    // The outage that parked the event often fails the lookup too: say a ticket may exist rather than imply none.
    if (late.failed) return abandonedUnsure(run, result, late.failed);
  }
  tracker.moveTo('abandoned');
  return { status: 'abandoned' as const, reason, lastError };
}

/** An abandon whose lookup failed after every attempt of the ticket schedule: an earlier write may have committed. */
function abandonedUnsure(run: TicketRun, { reason, lastError }: { reason: string; lastError: string }, error: string) {
  const { correlationId } = run.input;
  const note =
    `abandon came after a possible write and the ticket lookup failed (${error}): a ticket may exist; ` +
    `look for correlation id ${correlationId} (abandon reason: ${reason})`;
  run.tracker.status.operatorNote = note;
  run.tracker.moveTo('abandoned');
  return { status: 'abandoned' as const, reason, lastError, note };
}

/** The ticket into the row, when the trigger writes back; its failure is reported, the outcome stays created. */
async function writeBackTicket(run: TicketRun, outcome: Created): Promise<Created> {
  if (!run.writeBackOn || !run.plan?.onTicket) return outcome;
  const call = { event: run.input.event, action: 'created' as const, ticket: outcome.ticket };
  const report = await writeBack(await run.policy.get(), call);
  run.tracker.status.writeBack = report;
  return { ...outcome, writeBack: report };
}

/** A parked event's error into the row (`error_columns`); unknown plan (the mapping failed): nothing. */
async function writeBackParked(run: TicketRun, event: HasuraEvent): Promise<void> {
  if (!run.plan?.onPark) return;
  run.tracker.status.writeBack = await writeBack(await run.policy.get(), parkWriteBack(event, run.tracker.status));
}

/**
 * After a create that followed a possible write (an earlier attempt, run or operator retry), an older
 * write may commit late: wait, keep the oldest ticket, cancel the rest, and report the one kept.
 */
async function settleLateDuplicates(run: TicketRun, created: CreateTicketResult): Promise<Created> {
  const { input, tracker, policy } = run;
  const { ticket, reusedExisting } = created;
  const before11 = created.attempt > 1 && !reusedExisting;
  // Issue 16 on, asked only where the branches differ: a patch marker in a later workflow task is a billable action.
  const same = tracker.fewerActions && created.ticketMayExist === before11;
  const check = !same && hasChange(CREATE_PATH_PATCHES.lateCheck) ? created.ticketMayExist : before11;
  if (!check) return { status: 'created', ticket, reusedExisting, duplicatesCancelled: 0 };
  const known = await policy.get();
  const ref = { target: created.target, correlationId: input.correlationId };
  const late = await cancelLateDuplicates(ref, known, lateCheckDelayMs(run, created, known));
  const outcome = { status: 'created' as const, ticket, reusedExisting, duplicatesCancelled: late.cancelled };
  if (!late.kept || late.kept.id === ticket.id || !hasChange(CREATE_PATH_PATCHES.keptTicket)) return outcome;
  // An earlier write survived as the oldest ticket: it is the event's ticket, wherever one is reported.
  tracker.recordTicket(late.kept);
  tracker.moveTo('created');
  return { ...outcome, ticket: late.kept, reusedExisting: true };
}

/**
 * The late check covers writes sent before this run's create finished. A reset run may follow an attempt of the old
 * run that is still inside its attempt timeout and may send its write until then: the check waits that out too. So
 * does a retry whose earlier attempt may overlap it (attemptsOverlap), of this schedule or an operator-retried one.
 */
function lateCheckDelayMs(run: TicketRun, created: CreateTicketResult, policy: EventPolicy): number {
  const { duplicateCheckDelayMs, attemptTimeoutMs } = policy;
  if (run.resetRun && hasChange(CREATE_PATH_PATCHES.resetWait)) return duplicateCheckDelayMs + attemptTimeoutMs;
  const retried = created.attempt > 1 || run.tracker.status.operatorRetries > 0;
  if (run.attemptsOverlap && retried && hasChange(OVERLAP_PATCHES.overlapWait)) {
    return duplicateCheckDelayMs + attemptTimeoutMs;
  }
  return duplicateCheckDelayMs;
}
