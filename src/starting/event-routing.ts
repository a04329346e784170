import { rowTicketKeyFor } from '../common/correlation-tag';
import { sha256Hex } from '../common/sha256';
import { triggerConfig, type BridgeRouting, type TriggerConfig } from '../config/bridge-config';
import { canonicalJson, RowImageTooLargeError } from '../mapping/row-images';
import { currentRow, rowKeyOf } from '../mapping/row-key';
import { createEventMapper } from '../mapping/mapper';
import { rowWorkflowIdFor, type EventRoute, type HasuraEvent, type RowEvent } from '../contract';
import { rowEventOf, type RowRoute } from './row-delivery';

/** Why an event is the bridge's own echo (README "Keeping it loop-free"). */
export type LoopGuard = 'writeback-columns' | 'bridge-role';

/**
 * A row event's route, and the event as its row workflow receives it (src/starting/row-delivery.ts), made when
 * asked: it throws RowImageTooLargeError for an image too large even with only its mapped columns.
 */
export type RowDecision = RowRoute & { rowEvent: () => RowEvent };

export type RouteDecision =
  Exclude<EventRoute, RowRoute> | RowDecision | { kind: 'ignored'; reason: string; loopGuard?: LoopGuard };

/** The row has no value for a row-key column: the trigger's config does not fit the table. */
export class RowKeyError extends Error {
  override name = 'RowKeyError';
}

/** An event no delivery can ever get accepted (no row key, a row image too large): skipped and said why. */
export const neverAccepted = (error: unknown): error is Error =>
  error instanceof RowKeyError || error instanceof RowImageTooLargeError;

export type EventRouter = (event: HasuraEvent) => RouteDecision;

/** Columns whose value differs between old and new, compared as canonical JSON (exact digits, any key order). */
function changedColumns(event: HasuraEvent): string[] {
  const { old: before, new: after } = event.data;
  if (!before || !after) return [];
  const columns = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...columns].filter(
    (column) => canonicalJson(before[column] ?? null) !== canonicalJson(after[column] ?? null),
  );
}

/**
 * (a) an UPDATE that changed only columns the bridge writes (write-back, and the `inbound:` columns a
 * ServiceNow change fills) is the bridge's own write (plain SQL carries no session variables); (b) a change
 * made as the bridge's Hasura role is its own, whatever it changed.
 */
function loopGuard(event: HasuraEvent, trigger: TriggerConfig, bridgeRole?: string): RouteDecision | undefined {
  const role = event.sessionVariables?.['x-hasura-role'];
  if (bridgeRole !== undefined && role === bridgeRole) {
    return { kind: 'ignored', loopGuard: 'bridge-role', reason: `made by the bridge's own Hasura role ${role}` };
  }
  const { writeback, inbound } = trigger;
  if (event.op !== 'UPDATE' || (!writeback && !inbound)) return undefined;
  const ours = new Set(
    [writeback?.columns, writeback?.errorColumns, inbound?.columns].flatMap((columns) => Object.keys(columns ?? {})),
  );
  const changed = changedColumns(event);
  if (changed.some((column) => !ours.has(column))) return undefined;
  // Nothing visible changed: a `payload` column list hid the write-back columns the bridge just wrote. The
  // ticket could not change either (its fields come from these images), so nothing real is dropped.
  const reason =
    changed.length === 0
      ? 'changes no column the event carries (a payload list hides the write-back columns)'
      : `changes only write-back columns (${changed.join(', ')})`;
  return { kind: 'ignored', loopGuard: 'writeback-columns', reason };
}

/** Without a config file every event is its own ticket; with one, triggers decide ops and lifecycle. */
export function createEventRouter(config?: BridgeRouting): EventRouter {
  // Compiled once, up front: an oversized row image keeps the columns the templates read (lookups play no part).
  const mapper = config && createEventMapper({ ...config, lookups: {} });
  return (event) => {
    if (!config || !mapper) return { kind: 'single' };
    const trigger = triggerConfig(config, event.trigger);
    if (!trigger.ops.includes(event.op))
      return { kind: 'ignored', reason: `trigger ${event.trigger} does not handle ${event.op}` };
    const echo = loopGuard(event, trigger, config.hasuraRole);
    if (echo) return echo;
    const { lifecycle } = trigger;
    if (!lifecycle.enabled || (event.op === 'MANUAL' && lifecycle.manual === 'create')) return { kind: 'single' };
    const row = currentRow(event);
    const missing = trigger.rowKey.filter((column) => row[column] === null || row[column] === undefined);
    if (missing.length)
      throw new RowKeyError(`row has no value for row-key column(s) ${missing.join(', ')} of trigger ${event.trigger}`);
    const rowKey = rowKeyOf(row, trigger.rowKey);
    const table = `${event.table.schema}.${event.table.name}`;
    // The loader requires the secret with any lifecycle trigger; a hand-built config must bring it too.
    if (!config.correlation)
      throw new Error(`trigger ${event.trigger} has lifecycle enabled but no correlation.secret`);
    return {
      kind: 'row',
      rowKey,
      rowWorkflowId: rowWorkflowIdFor(event.trigger, table, rowKey, sha256Hex),
      // Computed here, not in the row workflow: the secret never enters a workflow's input or history.
      rowCorrelationId: rowTicketKeyFor(config.correlation, { trigger: event.trigger, table, rowKey }),
      rules: { manual: lifecycle.manual, onClosed: lifecycle.onClosed, reorderWindowMs: lifecycle.reorderWindowMs },
      rowEvent: () => rowEventOf(mapper, config, event),
    };
  };
}
