import { Liquid } from 'liquidjs';
import type { HasuraEvent, Row } from '../workflows/types';
import type { TicketFields } from '../ticketing/target';

/** How one trigger's rows become ticket fields. Templates are LiquidJS; see README "Mappings". */
export interface TriggerMapping {
  fields: Record<string, string>;
  /** Primary-key columns of the table: the row's identity across INSERT/UPDATE/DELETE. */
  rowKey: string[];
}

export interface MappingConfig {
  defaults: TriggerMapping;
  triggers: Record<string, Partial<TriggerMapping>>;
}

/** A template that cannot render for this event: permanent, the operator must fix data or config. */
export class MappingError extends Error {
  constructor(message: string, readonly field: string, readonly template: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MappingError';
  }
}

export const DEFAULT_MAPPING: MappingConfig = {
  defaults: {
    rowKey: ['id'],
    fields: {
      short_description: '{{ table.name }} {{ op | downcase }}: {{ row.title | default: row.name | default: row.summary | default: row_key }}',
      description: '{{ row.description | default: "" }}\n\nHasura {{ op }} on {{ table.schema }}.{{ table.name }} (trigger {{ trigger }}, event {{ event_id }})',
    },
  },
  triggers: {},
};

export interface MappedEvent {
  fields: TicketFields;
  rowKey: string;
}

export interface EventMapper {
  map(event: HasuraEvent): Promise<MappedEvent>;
}

/** The row a ticket describes: the new image, or the old one for a DELETE. */
export function currentRow(event: HasuraEvent): Row {
  return event.data.new ?? event.data.old ?? {};
}

export function rowKeyOf(row: Row, columns: string[]): string {
  return columns.map((column) => String(row[column] ?? '')).join('/');
}

export function createEventMapper(config: MappingConfig): EventMapper {
  // Autoescape off: ticket fields are plain text, never HTML, and templates are operator-written.
  const engine = new Liquid({ strictFilters: true, ownPropertyOnly: true });
  return {
    async map(event) {
      const mapping = { ...config.defaults, ...config.triggers[event.trigger] };
      const row = currentRow(event);
      const rowKey = rowKeyOf(row, mapping.rowKey);
      const scope = { row, old: event.data.old, new: event.data.new, op: event.op, table: event.table, trigger: event.trigger, event_id: event.eventId, created_at: event.createdAt, row_key: rowKey, session: event.sessionVariables ?? {} };
      const fields: TicketFields = {};
      for (const [field, template] of Object.entries(mapping.fields)) {
        try {
          fields[field] = (await engine.parseAndRender(template, scope)).trim();
        } catch (error) {
          throw new MappingError(`field ${field}: ${(error as Error).message}`, field, template, { cause: error });
        }
      }
      return { fields, rowKey };
    },
  };
}
