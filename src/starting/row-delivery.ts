import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { triggerConfig, type BridgeRouting } from '../config/bridge-config';
import type { EventMapper } from '../mapping/mapper';
import { toRowEvent } from '../mapping/row-images';
import { truncateCodePoints } from '../ticketing/truncate';
import { ROW_STATE_MEMO, ROW_WORKFLOW_TYPE, rowEventSignal } from '../contract';
import type { EventPolicy, EventRoute, HasuraEvent, RowEvent, RowState, RowTicketWorkflow } from '../contract';
import type { RowWorkflowInput } from '../contract';
import { HasuraTable, HasuraTrigger } from '../contract/search-attributes';

/*
 * How a lifecycle event reaches its row's workflow: the one copy, used by the webhook's starter (issue 16: the
 * event's delivery is the row run's signal, no event workflow) and by the forward activity of event workflows
 * started before it.
 */

export type RowRoute = Extract<EventRoute, { kind: 'row' }>;

/** Makes one Temporal call within the deliverer's bound (the webhook's deadline, or a forward attempt's retries). */
export type BoundedCall = <T>(call: () => Promise<T>) => Promise<T>;

export interface RowDelivery {
  route: RowRoute;
  event: RowEvent;
  /** The workflows' task queue. */
  taskQueue: string;
  /** An event workflow's input override, handed on to the row workflow. */
  policy?: Partial<EventPolicy>;
}

/**
 * The event as its row workflow receives it: an image over ROW_IMAGE_BYTES_LIMIT keeps the mapped columns and the
 * ticket column that names the row's ticket; one too large even so throws RowImageTooLargeError.
 */
export function rowEventOf(
  mapper: Pick<EventMapper, 'mappedColumns'>,
  config: Pick<BridgeRouting, 'triggers' | 'defaults'>,
  event: HasuraEvent,
): RowEvent {
  return toRowEvent(event, keptColumns(mapper, config, event));
}

function keptColumns(
  mapper: Pick<EventMapper, 'mappedColumns'>,
  config: Pick<BridgeRouting, 'triggers' | 'defaults'>,
  event: HasuraEvent,
): string[] | undefined {
  const mapped = mapper.mappedColumns(event);
  const column = triggerConfig(config, event.trigger).inbound?.ticketColumn;
  return mapped && column ? [...new Set([...mapped, column])] : mapped;
}

/** The state the row's last run left when it finished idle; none when it never ran or ended otherwise. */
async function lastRunState(client: Client, workflowId: string): Promise<RowState | undefined> {
  try {
    const { memo } = await client.workflow.getHandle(workflowId).describe();
    return memo?.[ROW_STATE_MEMO] as RowState | undefined;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}

/** The row run's start: its input (resuming `state`), search attributes and summary. */
function rowRun(delivery: RowDelivery, state: RowState | undefined) {
  const { route, event } = delivery;
  const table = `${event.table.schema}.${event.table.name}`;
  const { trigger } = event;
  const rowInput: RowWorkflowInput = {
    trigger,
    table: event.table,
    rowKey: route.rowKey,
    correlationId: route.rowCorrelationId,
    rules: route.rules,
    policy: delivery.policy,
    state,
  };
  return {
    workflowId: route.rowWorkflowId,
    taskQueue: delivery.taskQueue,
    args: [rowInput] as [RowWorkflowInput],
    typedSearchAttributes: [
      { key: HasuraTrigger, value: trigger },
      { key: HasuraTable, value: table },
    ],
    // The readable key, even when the workflow id carries its hash; the summary is bounded too.
    staticSummary: `row ${table} ${truncateCodePoints(route.rowKey, 200)} (${trigger})`,
  };
}

/** How the row run got the event: a signal to the open run, or a new run that resumes the last one's state. */
export interface Delivered {
  rowWorkflowId: string;
  /** Set when this delivery started a run (signal-with-start). */
  runId?: string;
}

/**
 * Hands the event to its row's workflow: a signal to the open run; when none is open, a new run
 * (signal-with-start) that resumes from the state the last one left, so a stale event stays stale.
 * The images' digests let the row workflow order its events as the database made them. Every call goes
 * through `within`: the whole delivery must end within ROW_IDLE of its start, or a run could start and
 * finish idle between this look at the row and this start of the next run (README "Mappings, lifecycle").
 * A delivery made twice (a lost answer, a redelivery) reaches the run twice: it drops the second by event id.
 */
export async function deliverToRow(client: Client, within: BoundedCall, delivery: RowDelivery): Promise<Delivered> {
  const { event } = delivery;
  const { rowWorkflowId } = delivery.route;
  try {
    await within(() => client.workflow.getHandle(rowWorkflowId).signal(rowEventSignal, event));
    return { rowWorkflowId };
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
  const state = await within(() => lastRunState(client, rowWorkflowId));
  const start = { ...rowRun(delivery, state), signal: rowEventSignal, signalArgs: [event] as [RowEvent] };
  const handle = await within(() =>
    client.workflow.signalWithStart<RowTicketWorkflow, [RowEvent]>(ROW_WORKFLOW_TYPE, start),
  );
  return { rowWorkflowId, runId: handle.signaledRunId };
}
