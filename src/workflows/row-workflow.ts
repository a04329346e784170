import { allHandlersFinished, condition, continueAsNew, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import { rowEventSignal, statusQuery } from '../contract';
import type { HasuraEvent, RowOutcome, RowState, RowWorkflowInput } from '../contract';
import { OperatorInbox } from './operator';
import { runWithRecovery, type RecoveryContext } from './recovery';
import { newestApplicable, rememberSeen } from './row-order';
import { RunPolicy } from './run-policy';
import { StatusTracker } from './status';
import { cancelLateDuplicates, ticketActivities } from './ticket-calls';

// Keeps history replay cheap; the server also suggests continue-as-new on its own limits.
const HISTORY_LIMIT = 2_000;

/**
 * The one ticket of one row (lifecycle triggers). Events arrive by signal in any order and any
 * number of times; each batch applies only its newest event if it is newer than the last applied
 * one, so the ticket always ends as the newest row image says, however deliveries were shuffled.
 */
export async function rowTicketWorkflow(input: RowWorkflowInput): Promise<RowOutcome> {
  const state: RowState = input.state ?? { seen: [], pending: [], applied: 0, skipped: 0 };
  const tracker = new StatusTracker();
  const inbox = new OperatorInbox(tracker);
  if (state.ticket) tracker.status.ticket = state.ticket;
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
  const runPolicy = new RunPolicy(input.policy);
  const policy = await runPolicy.get();
  for (;;) {
    tracker.moveTo('waiting-for-events');
    // Once a DELETE has closed the ticket, wait a while for late deliveries, then finish.
    const hasEvents = () => state.pending.length > 0;
    const arrived =
      state.lastApplied?.op === 'DELETE'
        ? await condition(hasEvents, policy.rowRetentionMs)
        : (await condition(hasEvents), true);
    if (!arrived) {
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
      await continueAsNew<typeof rowTicketWorkflow>({ ...input, state });
    }
  }
}

async function applyNewest(input: RowWorkflowInput, state: RowState, event: HasuraEvent, context: RecoveryContext) {
  const { tracker } = context;
  const policy = await context.policy.get();
  const activities = ticketActivities(policy);
  // applyRowEvent always looks the ticket up first, so it needs no "may the ticket exist" hint.
  const result = await runWithRecovery(context, event, false, async ({ overrides }) => {
    tracker.moveTo('applying');
    return activities.applyRowEvent({
      trigger: input.trigger,
      correlationId: input.correlationId,
      event,
      previousRow: state.lastRow,
      rules: input.rules,
      overrides,
    });
  });
  state.lastApplied = { createdAt: event.createdAt, eventId: event.eventId, op: event.op };
  state.lastRow = event.data.new ?? event.data.old ?? undefined;
  if (result.kind === 'abandoned') {
    state.skipped += 1;
    return;
  }
  const applied = result.value;
  state.applied += 1;
  tracker.status.row = {
    pending: state.pending.length,
    applied: state.applied,
    skipped: state.skipped,
    lastApplied: state.lastApplied,
    lastAction: applied.action,
  };
  tracker.moveTo('applying', { lastError: undefined });
  if (applied.ticket && applied.ticket.number !== state.ticket?.number) tracker.recordTicket(applied.ticket);
  state.ticket = applied.ticket ?? state.ticket;
  if (applied.action === 'created' && applied.attempt > 1)
    await cancelLateDuplicates({ target: applied.target, correlationId: input.correlationId }, policy);
}
