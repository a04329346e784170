import type { BridgeConfig, TriggerConfig } from '../config/bridge-config';
import { builtinTriggerDefaults } from '../config/builtin';
import { ConfigError } from '../common/config-error';
import type { HasuraEvent, TicketFields } from '../contract';
import type { Liquid } from 'liquidjs';
import { compileTemplates, createLiquid, type CompiledTemplate } from '../templating/liquid';
import { imageColumnsRead } from './mapped-columns';
import { currentRow, rowKeyOf } from './row-key';

/** What a mapper needs of the config; a whole BridgeConfig fits. */
export type MappingConfig = Pick<BridgeConfig, 'lookups' | 'defaults' | 'triggers'>;

/** The built-in mapping (also what runs without a config file). */
export const DEFAULT_MAPPING: MappingConfig = {
  lookups: {},
  defaults: builtinTriggerDefaults('servicenow'),
  triggers: {},
};

/** A template that cannot render for this event: permanent, the operator must fix data or config. */
export class MappingError extends Error {
  constructor(
    message: string,
    readonly field: string,
    readonly template: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MappingError';
  }
}

/** Template sets of a trigger: the ticket's fields, and the row's write-back columns (`writeback:`). */
export type FieldSet = 'fields' | 'updateFields' | 'resolveFields' | 'writebackColumns' | 'writebackErrorColumns';

/** One column an UPDATE changed, as text for notes (null and missing print as empty). */
export interface FieldChange {
  field: string;
  from: string;
  to: string;
}

export interface MappedEvent {
  fields: TicketFields;
  rowKey: string;
}

/** Extra template variables, e.g. `{ ticket: { number } }`; they cannot shadow the event's own. */
export type ScopeExtras = Record<string, unknown>;

export interface EventMapper {
  /** Fields for a new ticket, plus the row's identity. */
  map(event: HasuraEvent): Promise<MappedEvent>;
  /** One template set of the event's trigger, rendered; every value trimmed. */
  fields(event: HasuraEvent, set: FieldSet, extras?: ScopeExtras): Promise<TicketFields>;
  /** The trigger's work note; `changes` defaults to rowChanges(event). */
  workNote(event: HasuraEvent, extras?: ScopeExtras & { changes?: FieldChange[] }): Promise<string>;
  /** The row columns the event's trigger reads (its templates and key); undefined: any column may matter. */
  mappedColumns(event: HasuraEvent): string[] | undefined;
}

/** Columns whose value differs between the old and new image (UPDATE only); a missing column counts as null. */
export function rowChanges(event: HasuraEvent): FieldChange[] {
  const { old: before, new: after } = event.data;
  if (event.op !== 'UPDATE' || !before || !after) return [];
  const columns = [...new Set([...Object.keys(after), ...Object.keys(before)])];
  return columns
    .filter((column) => JSON.stringify(before[column] ?? null) !== JSON.stringify(after[column] ?? null))
    .map((field) => ({ field, from: displayValue(before[field]), to: displayValue(after[field]) }));
}

function displayValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

interface CompiledTrigger {
  config: TriggerConfig;
  sources: Record<FieldSet, Record<string, string>>;
  sets: Record<FieldSet, Record<string, CompiledTemplate>>;
  workNote: CompiledTemplate;
  mappedColumns: string[] | undefined;
}

/** Parses every template once, up front; a config that slipped past the loader fails here, not per event. */
function compileTrigger(engine: Liquid, config: TriggerConfig, path: string, problems: string[]): CompiledTrigger {
  const compile = (sources: Record<string, string>, key: string) =>
    compileTemplates(engine, sources, { path: `${path}.${key}`, problems }) ?? {};
  const sources: Record<FieldSet, Record<string, string>> = {
    fields: config.fields,
    updateFields: config.updateFields,
    resolveFields: config.resolveFields,
    writebackColumns: config.writeback?.columns ?? {},
    writebackErrorColumns: config.writeback?.errorColumns ?? {},
  };
  const sets = {
    fields: compile(sources.fields, 'fields'),
    updateFields: compile(sources.updateFields, 'update_fields'),
    resolveFields: compile(sources.resolveFields, 'resolve_fields'),
    writebackColumns: compile(sources.writebackColumns, 'writeback.columns'),
    writebackErrorColumns: compile(sources.writebackErrorColumns, 'writeback.error_columns'),
  };
  const workNote = compile({ work_note: config.workNote }, 'work_note').work_note;
  const templates = [workNote, ...Object.values(sets).flatMap((set) => Object.values(set))].filter(Boolean);
  const read = imageColumnsRead(engine, templates);
  const mappedColumns = read && [...new Set([...config.rowKey, ...read])];
  return { config, sources, sets, workNote, mappedColumns };
}

/** Every trigger's templates, parsed; all problems reported at once. */
function compileAll(engine: Liquid, config: MappingConfig): (event: HasuraEvent) => CompiledTrigger {
  const problems: string[] = [];
  const defaults: CompiledTrigger = compileTrigger(engine, config.defaults, 'defaults', problems);
  const triggers = new Map(
    Object.entries(config.triggers).map(([name, trigger]) => [
      name,
      compileTrigger(engine, trigger, `triggers.${name}`, problems),
    ]),
  );
  if (problems.length > 0) throw new ConfigError(problems);
  return (event) => triggers.get(event.trigger) ?? defaults;
}

async function renderOne(
  engine: Liquid,
  template: CompiledTemplate,
  scope: object,
  what: { trigger: string; field: string; source: string },
): Promise<string> {
  try {
    return (await engine.render(template, scope)).trim();
  } catch (error) {
    // The operator reads this in the notification and the Web UI: name the field and its template.
    const message = `trigger ${what.trigger}, field ${what.field} (template ${JSON.stringify(what.source.slice(0, 200))}): ${(error as Error).message}`;
    throw new MappingError(message, what.field, what.source, { cause: error });
  }
}

export function createEventMapper(config: MappingConfig): EventMapper {
  const engine = createLiquid(config.lookups);
  const compiledFor = compileAll(engine, config);

  async function fields(event: HasuraEvent, set: FieldSet, extras: ScopeExtras = {}): Promise<TicketFields> {
    const compiled = compiledFor(event);
    const scope = scopeOf(event, compiled.config, extras);
    const rendered: TicketFields = {};
    for (const [field, template] of Object.entries(compiled.sets[set])) {
      const source = compiled.sources[set][field];
      rendered[field] = await renderOne(engine, template, scope, { trigger: event.trigger, field, source });
    }
    return rendered;
  }

  return {
    async map(event) {
      const rowKey = rowKeyOf(currentRow(event), compiledFor(event).config.rowKey);
      return { fields: await fields(event, 'fields'), rowKey };
    },
    fields,
    async workNote(event, extras = {}) {
      const compiled = compiledFor(event);
      const scope = scopeOf(event, compiled.config, extras);
      const what = { trigger: event.trigger, field: 'work_note', source: compiled.config.workNote };
      return renderOne(engine, compiled.workNote, scope, what);
    },
    mappedColumns: (event) => compiledFor(event).mappedColumns,
  };
}

function scopeOf(event: HasuraEvent, config: TriggerConfig, extras: ScopeExtras): object {
  const row = currentRow(event);
  return {
    changes: rowChanges(event),
    ...extras,
    row,
    old: event.data.old,
    new: event.data.new,
    op: event.op,
    table: event.table,
    trigger: event.trigger,
    event_id: event.eventId,
    created_at: event.createdAt,
    row_key: rowKeyOf(row, config.rowKey),
    session: event.sessionVariables ?? {},
  };
}
