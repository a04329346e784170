import { allHandlersFinished, condition, continueAsNew, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import { rowEventSignal, statusQuery } from '../contract';
import type { EventPolicy, HasuraEvent, RowOutcome, RowState, RowTicketWorkflow, RowWorkflowInput } from '../contract';
import { OperatorInbox } from './operator';
import { runWithRecovery, type RecoveryContext } from './recovery';
import { RunPolicy } from './run-policy';
import { StatusTracker } from './status';
import { cancelLateDuplicates, ticketActivities } from './ticket-calls';

/*
 * The row workflow as runs started before issue 12 run it, kept so that their histories replay
 * (test/replay). Their continue-as-new starts a run of today's code, which takes over this state.
 */

// Keeps history replay cheap; the server also suggests continue-as-new on its own limits.
export const HISTORY_LIMIT = 2_000;

/** created_at with the zone stripped, the event id breaking ties. */
function orderKey(event: Pick<HasuraEvent, 'createdAt' | 'eventId'>): string {
  const [seconds, fraction = ''] = event.createdAt.replace(/Z$|[+-]\d{2}:?\d{2}$/, '').split('.');
  return `${seconds}.${fraction.padEnd(9, '0')}|${event.eventId}`;
}

function newestApplicable(batch: HasuraEvent[], lastApplied: RowState['lastApplied']): HasuraEvent | undefined {
  const floor = lastApplied ? orderKey(lastApplied) : '';
  const newest = [...batch].sort((a, b) => (orderKey(a) < orderKey(b) ? -1 : 1)).at(-1);
  return newest && orderKey(newest) > floor ? newest : undefined;
}

const SEEN_LIMIT = 500;

function rememberSeen(state: RowState, events: HasuraEvent[]): void {
  state.seen.push(...events.map((e) => e.eventId));
  if (state.seen.length > SEEN_LIMIT) state.seen.splice(0, state.seen.length - SEEN_LIMIT);
}

function listen(input: RowWorkflowInput, state: RowState): RecoveryContext['tracker'] {
  const tracker = new StatusTracker();
  setHandler(statusQuery, () => ({
    ...tracker.status,
    rowKey: input.rowKey,
    row: {
      pending: state.pending.length,
      applied: state.applied,
      skipped: state.skipped,
      lastApplied: state.lastApplied,
    },
  }));
  setHandler(rowEventSignal, (event) => {
    const known = state.seen.includes(event.eventId) || state.pending.some((e) => e.eventId === event.eventId);
    if (!known) state.pending.push(event);
  });
  return tracker;
}

/** Once a DELETE has closed the ticket, waits a while for late deliveries; false when none came. */
async function eventsArrive(state: RowState, policy: EventPolicy): Promise<boolean> {
  const hasEvents = () => state.pending.length > 0;
  return state.lastApplied?.op === 'DELETE'
    ? await condition(hasEvents, policy.rowRetentionMs)
    : (await condition(hasEvents), true);
}

export async function legacyRowTicketWorkflow(input: RowWorkflowInput): Promise<RowOutcome> {
  const state: RowState = input.state ?? { seen: [], pending: [], applied: 0, skipped: 0 };
  const tracker = listen(input, state);
  const inbox = new OperatorInbox(tracker);
  if (state.ticket) tracker.status.ticket = state.ticket;
  const runPolicy = new RunPolicy(input.policy);
  const policy = await runPolicy.get();
  for (;;) {
    tracker.moveTo('waiting-for-events');
    if (!(await eventsArrive(state, policy))) {
      tracker.moveTo('closed');
      return { status: 'closed', ticket: state.ticket, applied: state.applied, skipped: state.skipped };
    }
    await sleep(input.rules.reorderWindowMs);
    const batch = state.pending.splice(0);
    rememberSeen(state, batch);
    const newest = newestApplicable(batch, state.lastApplied);
    state.skipped += batch.length - (newest ? 1 : 0);
    if (newest) await applyNewest(input, state, newest, { tracker, inbox, policy: runPolicy });
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > HISTORY_LIMIT) {
      await condition(allHandlersFinished);
      await continueAsNew<RowTicketWorkflow>({ ...input, state });
    }
  }
}

async function applyNewest(input: RowWorkflowInput, state: RowState, event: HasuraEvent, context: RecoveryContext) {
  const policy = await context.policy.get();
  const result = await runWithRecovery(context, event, false, async ({ overrides }) => {
    context.tracker.moveTo('applying');
    const { trigger, correlationId, rules } = input;
    const apply = { trigger, correlationId, event, previousRow: state.lastRow, rules, overrides };
    return ticketActivities(policy).applyRowEvent(apply);
  });
  state.lastApplied = { createdAt: event.createdAt, eventId: event.eventId, op: event.op };
  state.lastRow = event.data.new ?? event.data.old ?? undefined;
  if (result.kind === 'abandoned') {
    state.skipped += 1;
    return;
  }
  const applied = result.value;
  state.applied += 1;
  const { pending, skipped, lastApplied } = state;
  context.tracker.status.row = { pending: pending.length, applied: state.applied, skipped, lastApplied };
  context.tracker.status.row.lastAction = applied.action;
  context.tracker.moveTo('applying', { lastError: undefined });
  if (applied.ticket && applied.ticket.number !== state.ticket?.number) context.tracker.recordTicket(applied.ticket);
  state.ticket = applied.ticket ?? state.ticket;
  if (applied.action === 'created' && applied.attempt > 1)
    await cancelLateDuplicates({ target: applied.target, correlationId: input.correlationId }, policy);
}
