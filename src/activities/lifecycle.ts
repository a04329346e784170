import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { BridgeConfig } from '../config/bridge-config';
import type { Logger } from '../logging';
import type { EventMapper } from '../mapping/mapper';
import { toRowEvent } from '../mapping/row-images';
import { truncateCodePoints } from '../ticketing/truncate';
import { ROW_WORKFLOW_TYPE, rowEventSignal, type RowTicketWorkflow } from '../contract';
import type { ApplyRowEventInput, ApplyRowEventResult, ForwardInput, RowEvent } from '../contract';
import { HasuraTable, HasuraTrigger } from '../contract/search-attributes';
import type { TicketTarget } from '../ticketing/ticket-target';
import { changeRowTicket } from './row-ticket';
import { withFailureMapping } from './ticket';
import { summarize, targetForTrigger, targetNamed } from './targets';

export interface LifecycleDeps {
  targets: Record<string, TicketTarget>;
  config: Pick<BridgeConfig, 'triggers' | 'defaults'>;
  mapper: EventMapper;
  logger: Logger;
  /** Signals row workflows; absent in workers that serve no lifecycle trigger. */
  client?: Client;
}

/** Signal-with-start: the row workflow starts on its first event and receives every later one. */
async function forwardToRowWorkflow(deps: LifecycleDeps, input: ForwardInput): Promise<void> {
  if (!deps.client) throw new Error('this worker has no Temporal client for lifecycle triggers');
  const { route, event } = input;
  const table = `${event.table.schema}.${event.table.name}`;
  await deps.client.workflow.signalWithStart<RowTicketWorkflow, [RowEvent]>(ROW_WORKFLOW_TYPE, {
    workflowId: route.rowWorkflowId,
    taskQueue: input.taskQueue,
    args: [
      {
        trigger: event.trigger,
        table: event.table,
        rowKey: route.rowKey,
        correlationId: route.rowCorrelationId,
        rules: route.rules,
        policy: input.policy,
      },
    ],
    signal: rowEventSignal,
    // The images' digests let the row workflow order its events as the database made them.
    signalArgs: [toRowEvent(event)],
    typedSearchAttributes: [
      { key: HasuraTrigger, value: event.trigger },
      { key: HasuraTable, value: table },
    ],
    // The readable key, even when the workflow id carries its hash; the summary is bounded too.
    staticSummary: `row ${table} ${truncateCodePoints(route.rowKey, 200)} (${event.trigger})`,
  });
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
    const change = await changeRowTicket({ input, target, mapper: deps.mapper, ctx: { signal } });
    const { action, note, created } = change;
    return { action, target: targetName, ticket: change.ticket && summarize(change.ticket), attempt, note, created };
  });
}

export function createLifecycleActivities(deps: LifecycleDeps) {
  return {
    forwardToRowWorkflow: (input: ForwardInput) => forwardToRowWorkflow(deps, input),
    applyRowEvent: (input: ApplyRowEventInput) => applyRowEvent(deps, input),
  };
}
