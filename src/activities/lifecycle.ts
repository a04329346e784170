import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { BridgeConfig } from '../config/bridge-config';
import type { Logger } from '../logging';
import { rowChanges, type EventMapper } from '../mapping/mapper';
import { toRowEvent } from '../mapping/row-images';
import { TicketConflictError } from '../ticketing/errors';
import { truncateCodePoints } from '../ticketing/truncate';
import { ROW_WORKFLOW_TYPE, rowEventSignal, type RowTicketWorkflow } from '../contract';
import type {
  ApplyRowEventInput,
  ApplyRowEventResult,
  ForwardInput,
  HasuraEvent,
  Row,
  RowAction,
  RowEvent,
} from '../contract';
import { HasuraTable, HasuraTrigger } from '../contract/search-attributes';
import type { TicketFields, TicketRef, TicketTarget } from '../ticketing/ticket-target';
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

/** Only the fields whose rendered value differs from the previous row's (all of them without one). */
async function changedFields(
  mapper: EventMapper,
  event: HasuraEvent,
  previousRow: Row | undefined,
): Promise<TicketFields> {
  const now = await mapper.fields(event, 'updateFields');
  if (!previousRow) return now;
  const before = await mapper.fields({ ...event, op: 'UPDATE', data: { old: null, new: previousRow } }, 'updateFields');
  return Object.fromEntries(Object.entries(now).filter(([field, value]) => before[field] !== value));
}

async function workNote(mapper: EventMapper, event: HasuraEvent, previousRow: Row | undefined): Promise<string> {
  const latest = event.data.new ?? event.data.old;
  const changes =
    previousRow && latest
      ? rowChanges({ ...event, op: 'UPDATE', data: { old: previousRow, new: latest } })
      : rowChanges(event);
  return changes.length ? mapper.workNote(event, { changes }) : '';
}

export function createLifecycleActivities(deps: LifecycleDeps) {
  const { mapper } = deps;
  return {
    /** Signal-with-start: the row workflow starts on its first event and receives every later one. */
    async forwardToRowWorkflow(input: ForwardInput): Promise<void> {
      if (!deps.client) throw new Error('this worker has no Temporal client for lifecycle triggers');
      const { route, event } = input;
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
          { key: HasuraTable, value: `${event.table.schema}.${event.table.name}` },
        ],
        // The readable key, even when the workflow id carries its hash; the summary is bounded too.
        staticSummary: `row ${event.table.schema}.${event.table.name} ${truncateCodePoints(route.rowKey, 200)} (${event.trigger})`,
      });
    },

    /**
     * Brings the row's ticket to what this event says: create, update (changed fields + a work
     * note), resolve on DELETE; a closed ticket follows `onClosed`, never a silent edit. It always
     * looks the ticket up first, so a retry after a lost response finds what it wrote.
     */
    async applyRowEvent(input: ApplyRowEventInput): Promise<ApplyRowEventResult> {
      const { attempt } = Context.current().info;
      const targetName = targetForTrigger(deps.config, input.trigger);
      return withFailureMapping(async (signal) => {
        const target = targetNamed(deps.targets, targetName);
        const found = await target.findByCorrelation(input.correlationId, { signal });
        const existing = found.at(-1);
        const done = (action: RowAction, ref?: TicketRef, note?: string): ApplyRowEventResult => ({
          action,
          target: targetName,
          ticket: ref && summarize(ref),
          attempt,
          note,
        });
        const ctx = { signal };
        const create = async () =>
          done(
            'created',
            await target.create(
              {
                correlationId: input.correlationId,
                fields: { ...(await mapper.fields(input.event, 'fields')), ...input.overrides },
              },
              ctx,
            ),
          );
        if (input.event.op === 'DELETE') {
          if (existing?.closed) return done('skipped', existing, 'ticket already closed');
          // A DELETE that overtook its INSERT still leaves the row's ticket, resolved: the same end state.
          const ticket =
            existing ??
            (await target.create(
              { correlationId: input.correlationId, fields: await mapper.fields(input.event, 'fields') },
              ctx,
            ));
          const changes = existing ? await changedFields(mapper, input.event, input.previousRow) : {};
          const fields = { ...changes, ...(await mapper.fields(input.event, 'resolveFields')), ...input.overrides };
          return done('resolved', await target.resolve(ticket, fields, ctx));
        }
        if (!existing) return create();
        const note = await workNote(mapper, input.event, input.previousRow);
        const fields: TicketFields = {
          ...(await changedFields(mapper, input.event, input.previousRow)),
          ...input.overrides,
          ...(note && { work_notes: note }),
        };
        if (existing.closed) {
          if (input.rules.onClosed === 'ignore')
            return done('skipped', existing, `ticket ${existing.number} is closed`);
          if (input.rules.onClosed === 'create-new') return create();
          if (!target.reopen)
            throw new TicketConflictError(
              `${target.kind} cannot reopen ${existing.number}; set lifecycle.on_closed to create-new or ignore`,
            );
          return done('reopened', await target.reopen(existing, fields, ctx));
        }
        if (Object.keys(fields).length === 0) return done('unchanged', existing);
        return done('updated', await target.update(existing, fields, ctx));
      });
    },
  };
}
