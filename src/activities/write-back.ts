import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { triggerConfig, type BridgeConfig } from '../config/bridge-config';
import type { WriteBackInput, WriteBackPlan, WriteBackResult } from '../contract';
import type { Logger } from '../logging';
import type { EventMapper } from '../mapping/mapper';
import { currentRow } from '../mapping/row-key';
import type { RowWriters } from '../source/writers';
import { toApplicationFailure } from './failures';
import { activityLogger } from './log';

export interface WriteBackDeps {
  config: Pick<BridgeConfig, 'triggers' | 'defaults'>;
  mapper: EventMapper;
  logger: Logger;
  /** By `writeback.via`; absent when the worker has no `source:` (then no trigger may write back). */
  writers?: RowWriters;
}

/** Which write-backs a trigger has: recorded in history with a local activity's result, so replay agrees. */
export function writeBackPlanOf(config: WriteBackDeps['config'], trigger: string): WriteBackPlan | undefined {
  const writeback = triggerConfig(config as BridgeConfig, trigger).writeback;
  if (!writeback) return undefined;
  return {
    onTicket: Object.keys(writeback.columns).length > 0,
    onPark: Object.keys(writeback.errorColumns).length > 0,
  };
}

/** What the `columns` / `error_columns` templates see besides the event's own variables (README "Write-back"). */
function extrasOf(input: WriteBackInput) {
  const { ticket, action, failure } = input;
  return {
    ticket: ticket && { ...ticket, closed: action === 'resolved' },
    action,
    synced_at: new Date().toISOString(),
    ...(failure && {
      error: { message: failure.message, type: failure.type ?? '' },
      attempts: failure.attempts,
      parked_until: failure.parkedUntil ?? '',
    }),
  };
}

/**
 * Renders the trigger's write-back templates from this worker's config and writes them by the row's key.
 * An empty rendering writes NULL. The row gone meanwhile (0 rows) is a success: there is nothing to mark.
 */
async function writeBackRow(deps: WriteBackDeps, input: WriteBackInput): Promise<WriteBackResult> {
  const { event } = input;
  const trigger = triggerConfig(deps.config as BridgeConfig, event.trigger);
  const { writeback } = trigger;
  // The config changed since the workflow asked: the worker's current config decides, so nothing to write.
  if (!writeback) return { rows: 0, columns: [] };
  const set = input.action === 'parked' ? 'writebackErrorColumns' : 'writebackColumns';
  const rendered = await deps.mapper.fields(event, set, extrasOf(input));
  const values = Object.fromEntries(
    Object.entries(rendered).map(([column, text]) => [column, text === '' ? null : text]),
  );
  const columns = Object.keys(values);
  if (columns.length === 0) return { rows: 0, columns };
  const writer = deps.writers?.[writeback.via];
  if (!writer)
    throw ApplicationFailure.nonRetryable(`writeback.via ${writeback.via}: no source configured`, 'WriteBackError');
  const row = currentRow(event);
  const key = Object.fromEntries(trigger.rowKey.map((column) => [column, row[column]]));
  const { rows } = await writer.write({ table: writeback.table ?? event.table, key, values });
  activityLogger(deps.logger).info({ action: input.action, columns, rows, via: writeback.via }, 'row written back');
  return { rows, columns };
}

export function createWriteBackActivities(deps: WriteBackDeps) {
  return {
    async writeBackRow(input: WriteBackInput): Promise<WriteBackResult> {
      try {
        return await writeBackRow(deps, input);
      } catch (error) {
        throw toApplicationFailure(error, { attempt: Context.current().info.attempt });
      }
    },
  };
}
