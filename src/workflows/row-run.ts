import { allHandlersFinished, ApplicationFailure, condition, continueAsNew, log, patched } from '@temporalio/workflow';
import { proxyLocalActivities, setHandler, sleep, upsertMemo, workflowInfo } from '@temporalio/workflow';
import { DEFAULT_POLICY, ROW_STATE_MEMO, rowEventSignal, statusQuery } from '../contract';
import type { ApplyRowEventResult, BridgeActivities, EventPolicy, EventStatus, LifecycleRules } from '../contract';
import type { RowAction, RowEvent, RowOutcome, RowState, RowTicketWorkflow, RowWorkflowInput } from '../contract';
import { OperatorInbox } from './operator';
import { carriedLastRow, forTicketCall, imageDigestOf, imageOf, nextRunState } from './row-carry';
import { runWithRecovery, type Recovered } from './recovery';
import {
  LIVES_AND_FLOOR_PATCH,
  KEEP_OPEN_HEADS_PATCH,
  REMEMBER_FORGOTTEN_PATCH,
  RowOrder,
  type RowOrderRules,
} from './row-order';
import { HISTORY_LIMIT } from './row-workflow-legacy';
import { RunPolicy } from './run-policy';
import { StatusTracker } from './status';
import { cancelLateDuplicates, ticketActivities } from './ticket-calls';
import { parkWriteBack, writeBack, WRITE_BACK_PATCH } from './write-back';

/**
 * Before this patch a row create that an operator retried (its parked attempts may have written) got no
 * late-duplicate check, as the activity's own attempt count starts again at 1. Asked right after that
 * create's result, only when it was an operator's retry.
 */
export const ROW_OPERATOR_RETRY_CHECK_PATCH = '12-row-operator-retry-check';

/**
 * Before this patch a run carried held events with both images and the ticket's last image beside them, and sent
 * a ticket call both images plus that one: rows of ~700 KiB passed Temporal's 2 MiB payload limit and the run's
 * workflow task failed forever. Asked at run start (./row-carry.ts).
 */
export const BOUNDED_CARRY_PATCH = '12-bounded-carry';

// Large row images make few events heavy: continue as new well before the server's 50 MB.
const HISTORY_BYTES_LIMIT = 4 * 1024 * 1024;

const { lifecycleRules } = proxyLocalActivities<BridgeActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

/**
 * How long a run waits without events before it finishes. Never below one forward attempt: a
 * forward that found no open run must not meet a run that started and finished meanwhile.
 */
const idleMs = (policy: EventPolicy) =>
  Math.max(policy.rowIdleMs ?? DEFAULT_POLICY.rowIdleMs ?? 0, policy.attemptTimeoutMs);

/**
 * A park that expired ends this event, not the row: the events that arrived meanwhile are still to
 * be applied (their own event workflows completed when they were forwarded).
 */
function givenUp(error: unknown, event: RowEvent): Recovered<never> {
  if (!(error instanceof ApplicationFailure) || error.type !== 'EventParkExpired') throw error;
  log.warn('row event given up: no operator action within the park deadline', { eventId: event.eventId });
  return { kind: 'abandoned', reason: error.message, lastError: error.message };
}

/**
 * One run of a row's workflow (issue 12 on): deliveries are placed in the database's order as they
 * arrive (./row-order.ts); after each reorder window the ticket is brought to the newest change.
 */
export class RowRun {
  private readonly tracker = new StatusTracker();
  private readonly inbox = new OperatorInbox(this.tracker);
  private readonly policy: RunPolicy;
  private readonly order: RowOrder;
  private readonly state: RowState;
  /** The worker's rules, read once per run (a run is short: the worker's current config holds). */
  private rules!: LifecycleRules;
  private lastAction?: RowAction;
  /** Run started with issue 13's code: write-backs may be scheduled (asked at run start). */
  private readonly writeBackOn: boolean;
  /** What the run sends is bounded (BOUNDED_CARRY_PATCH). */
  private readonly boundedCarry: boolean;
  /** The row order's rules by the patches asked at run start (RowOrderRules). */
  private readonly orderRules: RowOrderRules = {
    keepOpenHeads: patched(KEEP_OPEN_HEADS_PATCH),
    rememberForgotten: patched(REMEMBER_FORGOTTEN_PATCH),
    livesAndFloor: patched(LIVES_AND_FLOOR_PATCH),
  };

  constructor(private readonly input: RowWorkflowInput) {
    const { ticket, lastRowDigest, applied = 0 } = input.state ?? {};
    this.order = new RowOrder(input.state, this.orderRules);
    const lastRow = carriedLastRow(input.state);
    this.state = {
      seen: [],
      pending: [],
      applied,
      skipped: 0,
      ticket,
      lastRow,
      lastRowDigest,
      order: this.order.state,
    };
    this.policy = new RunPolicy(input.policy);
    this.writeBackOn = patched(WRITE_BACK_PATCH);
    this.boundedCarry = patched(BOUNDED_CARRY_PATCH);
    if (ticket) this.tracker.status.ticket = ticket;
    setHandler(statusQuery, () => this.status());
    setHandler(rowEventSignal, (event) => this.received(event));
  }

  /** The worker's log names every delivery's event id: a row event has no workflow of its own (issue 16). */
  private received(event: RowEvent): void {
    const { eventId, op } = event;
    if (this.order.add(event)) log.info('row event received', { eventId, op, rowKey: this.input.rowKey });
    else
      log.info('row event dropped: already received, or an INSERT stamped before a forgotten change', {
        eventId,
        op,
        rowKey: this.input.rowKey,
      });
  }

  async run(): Promise<RowOutcome> {
    const policy = await this.policy.get();
    this.rules = await lifecycleRules(this.input.trigger);
    for (;;) {
      this.tracker.moveTo('waiting-for-events');
      const arrived = await condition(() => this.order.waiting > 0, idleMs(policy));
      // A delivery in the same workflow task as the timeout still counts: it must not be dropped.
      const carried = !arrived && this.order.waiting === 0 ? this.snapshot() : undefined;
      if (carried) return this.finishIdle(carried);
      if (!arrived && this.order.waiting === 0) continue;
      await sleep(this.rules.reorderWindowMs);
      const next = this.order.decide();
      if (next) await this.apply(next);
      const info = workflowInfo();
      if (info.continueAsNewSuggested || info.historyLength > HISTORY_LIMIT || info.historySize > HISTORY_BYTES_LIMIT) {
        await condition(allHandlersFinished);
        const carried = this.snapshot();
        if (carried) await continueAsNew<RowTicketWorkflow>({ ...this.input, state: carried });
      }
    }
  }

  private async apply(event: RowEvent): Promise<void> {
    const policy = await this.policy.get();
    const afterPark = this.writeBackOn && this.rules.writeBack?.onPark ? this.writeBackParked : undefined;
    const context = { tracker: this.tracker, inbox: this.inbox, policy: this.policy, afterPark };
    let retriedByOperator = false;
    const result = await runWithRecovery(context, event, false, ({ overrides, ticketMayExist }) => {
      retriedByOperator = ticketMayExist;
      this.tracker.moveTo('applying');
      const { trigger, correlationId } = this.input;
      const { lastRow: previousRow, lastRowDigest: previousRowDigest, ticket } = this.state;
      const sent = this.boundedCarry ? forTicketCall(event, this.state) : event;
      const { rules } = this;
      const apply = { trigger, correlationId, event: sent, previousRow, previousRowDigest, rules, overrides, ticket };
      return ticketActivities(policy).applyRowEvent(apply);
    }).catch((error: unknown) => givenUp(error, event));
    this.order.consumed(event);
    // Given up: the ticket did not receive the event, so "what changed" stays measured from what it did receive.
    if (result.kind === 'done') await this.applied(event, result.value, policy, retriedByOperator);
    else this.tracker.status.operatorNote = `event ${event.eventId} given up: ${result.reason}`;
  }

  private async applied(
    event: RowEvent,
    result: ApplyRowEventResult,
    policy: EventPolicy,
    retriedByOperator: boolean,
  ): Promise<void> {
    this.state.lastRow = imageOf(event);
    if (this.boundedCarry) this.state.lastRowDigest = imageDigestOf(event);
    this.state.applied += 1;
    this.lastAction = result.action;
    // The ticket first: the state change that follows carries it into the search attributes (issue 16).
    if (result.ticket && result.ticket.number !== this.state.ticket?.number) this.tracker.recordTicket(result.ticket);
    this.tracker.moveTo('applying', { lastError: undefined });
    this.state.ticket = result.ticket ?? this.state.ticket;
    // A retried create, by Temporal or an operator, may race an earlier attempt's late commit (a DELETE that
    // came first creates too). The row keeps the ticket it holds: with create-new, older closed ones are not it.
    const retried = () => result.attempt > 1 || (retriedByOperator && patched(ROW_OPERATOR_RETRY_CHECK_PATCH));
    if (result.created && this.state.ticket && retried()) {
      const { target } = result;
      await cancelLateDuplicates({ target, correlationId: this.input.correlationId, keep: this.state.ticket }, policy);
    }
    await this.writeBackTicket(event, result.action, policy);
  }

  /** The row's ticket into the row after ticket work (not for an unchanged or skipped event). */
  private async writeBackTicket(event: RowEvent, action: RowAction, policy: EventPolicy): Promise<void> {
    const { ticket } = this.state;
    if (!this.writeBackOn || !this.rules.writeBack?.onTicket || !ticket) return;
    if (action === 'unchanged' || action === 'skipped') return;
    this.tracker.status.writeBack = await writeBack(policy, { event, action, ticket });
  }

  private readonly writeBackParked = async (event: RowEvent): Promise<void> => {
    const report = await writeBack(await this.policy.get(), parkWriteBack(event, this.tracker.status));
    this.tracker.status.writeBack = report;
  };

  private skipped(): number {
    return Math.max(0, this.order.state.received - this.order.waiting - this.state.applied);
  }

  private status(): EventStatus {
    const applied = this.order.applied;
    const lastApplied = applied && { createdAt: applied.at, eventId: applied.id, op: applied.op };
    const row = { pending: this.order.waiting, applied: this.state.applied, skipped: this.skipped(), lastApplied };
    return { ...this.tracker.status, rowKey: this.input.rowKey, row: { ...row, lastAction: this.lastAction } };
  }

  /** The state for the next run; none while it does not fit (the run goes on and says so: nextRunState). */
  private snapshot(): RowState | undefined {
    const state = { ...this.state, skipped: this.skipped(), order: this.order.state };
    const { carried, refused } = nextRunState(
      state,
      this.boundedCarry,
      this.orderRules.keepOpenHeads,
      this.orderRules.livesAndFloor,
    );
    if (refused) log.warn((this.tracker.status.operatorNote = refused), { rowKey: this.input.rowKey });
    return carried;
  }

  /** Finishes; the next event's forward starts a run that resumes from the state left in the memo. */
  private finishIdle(carried: RowState): RowOutcome {
    upsertMemo({ [ROW_STATE_MEMO]: carried });
    this.tracker.moveTo('idle');
    return { status: 'idle', ticket: this.state.ticket, applied: this.state.applied, skipped: this.skipped() };
  }
}
