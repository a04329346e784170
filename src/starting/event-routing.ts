import { createHash } from 'node:crypto';
import { triggerConfig, type BridgeConfig } from '../config/bridge-config';
import { currentRow, rowKeyOf } from '../mapping/row-key';
import { rowCorrelationIdFor, rowWorkflowIdFor, type EventRoute, type HasuraEvent } from '../contract';

export type RouteDecision = EventRoute | { kind: 'ignored'; reason: string };

/** The row has no value for a row-key column: the trigger's config does not fit the table. */
export class RowKeyError extends Error {
  override name = 'RowKeyError';
}

export type EventRouter = (event: HasuraEvent) => RouteDecision;

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/** Without a config file every event is its own ticket; with one, triggers decide ops and lifecycle. */
export function createEventRouter(config?: Pick<BridgeConfig, 'triggers' | 'defaults'>): EventRouter {
  return (event) => {
    if (!config) return { kind: 'single' };
    const trigger = triggerConfig(config as BridgeConfig, event.trigger);
    if (!trigger.ops.includes(event.op))
      return { kind: 'ignored', reason: `trigger ${event.trigger} does not handle ${event.op}` };
    const { lifecycle } = trigger;
    if (!lifecycle.enabled || (event.op === 'MANUAL' && lifecycle.manual === 'create')) return { kind: 'single' };
    const row = currentRow(event);
    const missing = trigger.rowKey.filter((column) => row[column] === null || row[column] === undefined);
    if (missing.length)
      throw new RowKeyError(`row has no value for row-key column(s) ${missing.join(', ')} of trigger ${event.trigger}`);
    const rowKey = rowKeyOf(row, trigger.rowKey);
    const table = `${event.table.schema}.${event.table.name}`;
    return {
      kind: 'row',
      rowKey,
      rowWorkflowId: rowWorkflowIdFor(event.trigger, table, rowKey, sha256Hex),
      rowCorrelationId: rowCorrelationIdFor(event.trigger, table, rowKey, sha256Hex),
      rules: { manual: lifecycle.manual, onClosed: lifecycle.onClosed, reorderWindowMs: lifecycle.reorderWindowMs },
    };
  };
}
