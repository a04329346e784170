import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { triggerConfig, type BridgeConfig } from '../config/bridge-config';
import { legacyTicketAdoptable, legacyTicketKeyFor } from '../common/correlation-tag';
import type { Logger } from '../logging';
import { rowKeyOf } from '../mapping/row-key';
import type { EventMapper } from '../mapping/mapper';
import { withOldImage } from '../mapping/row-images';
import { deliverToRow, rowEventOf } from '../starting/row-delivery';
import type { ApplyRowEventInput, ApplyRowEventResult, ForwardInput, LifecycleRules, RowEvent } from '../contract';
import type { TicketTarget } from '../ticketing/ticket-target';
import { temporalCallMayPass } from './failures';
import { changeRowTicket, type LegacyKey } from './row-ticket';
import { RowTurns } from './row-turns';
import { withFailureMapping } from './ticket';
import { writeBackPlanOf } from './write-back';
import { summarize, targetForTrigger, targetNamed } from './targets';

export interface LifecycleDeps {
  targets: Record<string, TicketTarget>;
  config: Pick<BridgeConfig, 'triggers' | 'defaults' | 'correlation'>;
  mapper: EventMapper;
  logger: Logger;
  /** Signals row workflows; absent in workers that serve no lifecycle trigger. */
  client?: Client;
}

/** The shortest call worth making: a busy row run holds a signal until its deadline minus 500 ms. */
const CALL_MIN_MS = 1_500;
const CALL_MAX_MS = 10_000;

/** A call's deadline: a quarter of the attempt's time left (room to retry), within CALL_MIN_MS–CALL_MAX_MS. */
const callMs = (left: number) => Math.min(left, Math.max(CALL_MIN_MS, Math.min(CALL_MAX_MS, left / 4)));

/**
 * Every call ends within one start-to-close timeout of this attempt's start: with ROW_IDLE never shorter,
 * no run can start and finish idle between this forward's look at the row and its start of the next run.
 * Counted from the start, as Temporal counts it, not from the schedule: behind a backlog an attempt waits
 * in the task queue longer than its timeout, and a deadline already past would fail every retry at once.
 * A hot row's run answers BUSY_WORKFLOW only at a call's deadline, and the client's own retry then starts past
 * it: so each call gets a share of the time left, and a call that may pass is made again while time is left.
 * A signal retried after its answer was lost arrives twice; the row run drops the second by its event id.
 */
function withinAttempt(client: Client, end: number): <T>(call: () => Promise<T>) => Promise<T> {
  const context = Context.current();
  return async (call) => {
    for (let retry = 0; ; retry++) {
      const start = Date.now();
      try {
        return await client.connection.withDeadline(start + callMs(end - start), call);
      } catch (error) {
        const pauseMs = Math.min(1_000, 100 * 2 ** retry) * (0.5 + Math.random());
        if (!temporalCallMayPass(error) || end - Date.now() < pauseMs + CALL_MIN_MS) throw error;
        await context.sleep(pauseMs);
      }
    }
  };
}

/** The event workflow's forward (runs started before issue 16): the webhook's delivery, within this attempt. */
async function forwardToRowWorkflow(deps: LifecycleDeps, turns: RowTurns, input: ForwardInput): Promise<void> {
  const { client } = deps;
  if (!client) throw new Error('this worker has no Temporal client for lifecycle triggers');
  const end = Date.now() + Context.current().info.startToCloseTimeoutMs;
  // One too large even with its mapped columns parks this event naming the limit (src/activities/failures.ts).
  const event = await withFailureMapping(async () => rowEventOf(deps.mapper, deps.config, input.event));
  const delivery = { route: input.route, event, taskQueue: input.taskQueue, policy: input.policy };
  await turns.run(input.route.rowWorkflowId, end - CALL_MIN_MS, () =>
    deliverToRow(client, withinAttempt(client, end), delivery),
  );
}

/** With `correlation.legacy_before`, the row's pre-tag key (README "Correlation keys"); the worker holds the config. */
function legacyKeyOf(deps: LifecycleDeps, input: ApplyRowEventInput, event: RowEvent): LegacyKey | undefined {
  const { correlation } = deps.config;
  if (correlation?.legacyBeforeMs === undefined) return undefined;
  const { rowKey: columns } = triggerConfig(deps.config, input.trigger);
  const rowKey = rowKeyOf(event.data.new ?? event.data.old ?? input.previousRow ?? {}, columns);
  const table = `${event.table.schema}.${event.table.name}`;
  return {
    correlationId: legacyTicketKeyFor({ trigger: input.trigger, table, rowKey }),
    adoptable: (createdAt) => legacyTicketAdoptable(correlation, createdAt),
  };
}

/**
 * Brings the row's ticket to what this event says: create, update (changed fields + a work note),
 * resolve on DELETE; a closed ticket follows `onClosed`, never a silent edit (./row-ticket.ts).
 */
async function applyRowEvent(deps: LifecycleDeps, input: ApplyRowEventInput): Promise<ApplyRowEventResult> {
  const { attempt } = Context.current().info;
  const targetName = targetForTrigger(deps.config, input.trigger);
  return withFailureMapping(async (signal) => {
    const target = targetNamed(deps.targets, targetName);
    const event = withOldImage(input.event, input.previousRow, input.previousRowDigest);
    const legacy = legacyKeyOf(deps, input, event);
    const { ticketColumn } = triggerConfig(deps.config, input.trigger).inbound ?? {};
    const call = { input: { ...input, event }, target, mapper: deps.mapper, ctx: { signal }, legacy, ticketColumn };
    const change = await changeRowTicket(call);
    const { action, note, created } = change;
    return { action, target: targetName, ticket: change.ticket && summarize(change.ticket), attempt, note, created };
  });
}

export function createLifecycleActivities(deps: LifecycleDeps) {
  const turns = new RowTurns();
  return {
    forwardToRowWorkflow: (input: ForwardInput) => forwardToRowWorkflow(deps, turns, input),
    applyRowEvent: (input: ApplyRowEventInput) => applyRowEvent(deps, input),
    /** The worker's current rules, read by each row run: not frozen into the run's first start. */
    async lifecycleRules(trigger: string): Promise<LifecycleRules> {
      const { manual, onClosed, reorderWindowMs } = triggerConfig(deps.config, trigger).lifecycle;
      const writeBack = writeBackPlanOf(deps.config, trigger);
      return { manual, onClosed, reorderWindowMs, ...(writeBack && { writeBack }) };
    },
  };
}
