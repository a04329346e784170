import type { InboundConfig, TriggerConfig } from '../../config/bridge-config';
import type { TriggerInput } from './trigger-schema';
import { GRAPHQL_NAME } from './writeback';

/** The file's `inbound:` as the worker uses it. */
export function toInboundConfig(input: NonNullable<TriggerInput['inbound']>): InboundConfig {
  const { columns, integration_user: integrationUser, ticket_column: ticketColumn } = input;
  return { columns, integrationUser, ticketColumn };
}

// The template that writes the ticket's sys_id: what a ticket column must hold to bind its row to the ticket.
const TICKET_ID_TEMPLATE = /^\{\{-?\s*ticket\.id\s*-?\}\}$/;

/**
 * The row's identity and the bridge's own ticket columns are never written from ServiceNow: a record's
 * values could then move its row's key, or rebind the row to another ticket.
 */
function checkInboundColumns(trigger: TriggerConfig, path: string, problems: string[]): void {
  const inbound = trigger.inbound!;
  const writeback = trigger.writeback;
  for (const column of Object.keys(inbound.columns)) {
    const where = `${path}.inbound.columns.${column}`;
    if (trigger.rowKey.includes(column)) problems.push(`${where}: is a row_key column, which inbound never writes`);
    for (const [key, columns] of [
      ['columns', writeback?.columns ?? {}],
      ['error_columns', writeback?.errorColumns ?? {}],
    ] as const) {
      if (Object.hasOwn(columns, column)) {
        problems.push(`${where}: is also writeback.${key}.${column}; a column has one writer (remove one)`);
      }
    }
  }
  const { ticketColumn } = inbound;
  const template = writeback?.columns[ticketColumn];
  if (template === undefined || !TICKET_ID_TEMPLATE.test(template.trim())) {
    problems.push(
      `${path}.inbound.ticket_column: "${ticketColumn}" must be a writeback.columns column written as ` +
        '"{{ ticket.id }}" (the row holds its ticket\'s sys_id there)',
    );
  }
}

/**
 * An effective trigger's `inbound:` can reach its rows: a ticket per row (lifecycle), bound to it by the
 * write-back's ticket column, and written through that write-back's `via` (its `source:` entry is checked
 * with the write-back), whose names it can write.
 */
export function checkInbound(trigger: TriggerConfig, path: string, problems: string[]): void {
  if (!trigger.inbound) return;
  if (!trigger.lifecycle.enabled) {
    problems.push(`${path}.inbound: needs lifecycle.enabled: true (a ticket per row is how a change finds its row)`);
  }
  checkInboundColumns(trigger, path, problems);
  if (trigger.writeback?.via !== 'hasura') return;
  for (const name of Object.keys(trigger.inbound.columns).filter((column) => !GRAPHQL_NAME.test(column))) {
    problems.push(
      `${path}.inbound.columns: "${name}" is not a GraphQL name, so Hasura cannot expose it (use via: postgres)`,
    );
  }
}
