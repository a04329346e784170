import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowStartOptions } from '@temporalio/client';
import type { HasuraEventBody } from '../hasura/event-schema';
import { singleTicketWorkflow } from '../workflows';
import { correlationIdFor, ROW_DELIVERY_BOUND_MS, workflowIdFor } from '../contract';
import type { CreateQueue, EventRoute, HasuraEvent } from '../contract';
import { HasuraEventId, HasuraOp, HasuraTable, HasuraTrigger, TicketStatus } from '../contract/search-attributes';
import { createEventRouter, type EventRouter, type LoopGuard, type RowDecision } from './event-routing';
import { deliverToRow } from './row-delivery';
import { temporalRefusal } from './temporal-refusals';

export interface StartResult {
  /** The event's workflow (for an ignored event: the id it would have had); for a row event, its row's workflow. */
  workflowId: string;
  /** The run started (a row event: only when its delivery started the row's run). */
  runId?: string;
  /**
   * True when the event's workflow had already finished (or, with runningIsDuplicate, exists): nothing started.
   * Always false for a row event: its row workflow drops a delivery it already has, unseen by the starter.
   */
  duplicate: boolean;
  /** A row event: signalled to its row's open run, or a run started for it (signal-with-start). */
  delivered?: 'signal' | 'signal-with-start';
  /** Set when the trigger's config does not handle this op: acknowledged, nothing started. */
  ignored?: string;
  /** Set when the event is the bridge's own write coming back (an ignored event): which guard caught it. */
  loopGuard?: LoopGuard;
}

export interface EventStarter {
  start(body: HasuraEventBody): Promise<StartResult>;
  /** Whether Temporal answers right now (readiness). */
  ping(): Promise<void>;
}

export function toWorkflowEvent(body: HasuraEventBody): HasuraEvent {
  return {
    eventId: body.id,
    trigger: body.trigger.name,
    table: { schema: body.table.schema, name: body.table.name },
    op: body.event.op,
    createdAt: body.created_at,
    data: { old: body.event.data.old, new: body.event.data.new },
    sessionVariables: body.event.session_variables,
  };
}

export interface StarterOptions {
  client: Client;
  taskQueue: string;
  /** Per-call deadline so a hung Temporal turns into a quick 503, not a Hasura timeout. */
  startTimeoutMs?: number;
  /** Which events are tickets of their own, row lifecycles, or ignored; default: all single. */
  router?: EventRouter;
  /**
   * A running workflow counts as a duplicate too (conflict policy FAIL). Catch-up and backfill set it to
   * tell what they started; the webhook does not, so a redelivery answers with the live run's handle.
   */
  runningIsDuplicate?: boolean;
  /**
   * Where a single event's create runs (EventWorkflowInput.createQueue): the process's TICKET_CREATE_QUEUE, and
   * always `ticketing` for backfill; default `workflow`.
   */
  createQueue?: CreateQueue;
}

/** How an event's workflow is started: one per event id, searchable by trigger, table, event and op. */
function startOptionsFor(
  event: HasuraEvent,
  route: EventRoute,
  options: Pick<StarterOptions, 'taskQueue' | 'runningIsDuplicate' | 'createQueue'>,
): WorkflowStartOptions<typeof singleTicketWorkflow> {
  const { taskQueue, createQueue = 'workflow' } = options;
  return {
    workflowId: workflowIdFor(event.trigger, event.eventId),
    taskQueue,
    // No policy: the worker's config owns retries and deadlines (EventWorkflowInput.policy).
    args: [{ event, correlationId: correlationIdFor(event.trigger, event.eventId), route, createQueue }],
    workflowIdConflictPolicy: options.runningIsDuplicate ? 'FAIL' : 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    typedSearchAttributes: [
      { key: HasuraTrigger, value: event.trigger },
      { key: HasuraTable, value: `${event.table.schema}.${event.table.name}` },
      { key: HasuraEventId, value: event.eventId },
      { key: HasuraOp, value: event.op },
      { key: TicketStatus, value: 'received' },
    ],
    staticSummary: `${event.op} ${event.table.schema}.${event.table.name} (${event.trigger})`,
  };
}

/**
 * A row event goes straight to its row's workflow (issue 16: no event workflow, 4 billable actions fewer). The
 * whole delivery, up to three calls, ends within ROW_DELIVERY_BOUND_MS, which ROW_IDLE is never shorter than.
 */
async function deliver(options: StarterOptions, route: RowDecision, timeoutMs: number): Promise<StartResult> {
  const { client, taskQueue } = options;
  const end = Date.now() + Math.min(timeoutMs, ROW_DELIVERY_BOUND_MS);
  const within = <T>(call: () => Promise<T>) => client.connection.withDeadline(end, call);
  const { rowEvent, ...rowRoute } = route;
  const delivery = { route: rowRoute, event: rowEvent(), taskQueue };
  const { rowWorkflowId, runId } = await deliverToRow(client, within, delivery);
  return { workflowId: rowWorkflowId, runId, duplicate: false, delivered: runId ? 'signal-with-start' : 'signal' };
}

export function createEventStarter(options: StarterOptions): EventStarter {
  const { client } = options;
  const timeoutMs = options.startTimeoutMs ?? 5_000;
  const withDeadline = <T>(fn: () => Promise<T>) => client.connection.withDeadline(Date.now() + timeoutMs, fn);
  const router = options.router ?? createEventRouter();
  return {
    async start(body) {
      const event = toWorkflowEvent(body);
      const workflowId = workflowIdFor(event.trigger, event.eventId);
      const route = router(event);
      if (route.kind === 'ignored') {
        const { reason, loopGuard } = route;
        return { workflowId, duplicate: false, ignored: reason, ...(loopGuard && { loopGuard }) };
      }
      try {
        // Acknowledged only once the row run holds the event: the signal or signal-with-start returned.
        if (route.kind === 'row') return await deliver(options, route, timeoutMs);
        // A single event's own type has the 3-action happy path (issue 16).
        const handle = await withDeadline(() =>
          client.workflow.start(singleTicketWorkflow, startOptionsFor(event, route, options)),
        );
        // USE_EXISTING: a redelivery while the run is live gets that run's handle; the SDK does not
        // say whether it started one, so `duplicate` is only certain for closed runs (below).
        return { workflowId, runId: handle.firstExecutionRunId, duplicate: false };
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, duplicate: true };
        throw temporalRefusal(error, client.options.namespace) ?? error;
      }
    },
    async ping() {
      await withDeadline(() => client.workflowService.getSystemInfo({}));
    },
  };
}
