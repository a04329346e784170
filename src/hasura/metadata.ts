import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse, type ScalarTag } from 'yaml';

/*
 * Reads the event triggers of a Hasura metadata directory (config v3, as `hasura metadata export`
 * writes it): databases/databases.yaml, each source's tables (an `!include`d list or inline), each
 * table's `event_triggers`. Only what check-config needs: which columns each trigger's UPDATE listens to.
 */

/** `!include file` as a tag (the CLI accepts it unquoted) reads like the quoted string form. */
const includeTag: ScalarTag = { tag: '!include', resolve: (value: string) => `!include ${value}` };

export interface MetadataTrigger {
  name: string;
  /** `schema.name` */
  table: string;
  /** The columns an UPDATE must change to record an event; absent when the trigger has no `update`. */
  updateColumns?: '*' | string[];
}

function readYaml(file: string): unknown {
  return parse(readFileSync(file, 'utf8'), { customTags: [includeTag] });
}

/** A value that is `"!include path"` is that file's content, relative to the including file. */
function included(fromFile: string, value: unknown): { value: unknown; file: string } {
  if (typeof value !== 'string' || !value.startsWith('!include ')) return { value, file: fromFile };
  const file = join(dirname(fromFile), value.slice('!include '.length).trim());
  return { value: readYaml(file), file };
}

interface TableEntry {
  table?: { schema?: string; name?: string };
  event_triggers?: { name?: string; definition?: { update?: { columns?: '*' | string[] } } }[];
}

/** Every event trigger of every source in `dir`; a file that cannot be read throws, naming it. */
export function readEventTriggers(dir: string): MetadataTrigger[] {
  const databasesFile = join(dir, 'databases', 'databases.yaml');
  const sources = (readYaml(databasesFile) ?? []) as { tables?: unknown }[];
  return sources.flatMap((source) => {
    const tables = included(databasesFile, source.tables ?? []);
    return ((tables.value ?? []) as unknown[]).flatMap((entry) => {
      const table = included(tables.file, entry).value as TableEntry;
      const name = `${table.table?.schema ?? 'public'}.${table.table?.name ?? '?'}`;
      return (table.event_triggers ?? []).map((trigger) => ({
        name: String(trigger.name),
        table: name,
        updateColumns: trigger.definition?.update?.columns,
      }));
    });
  });
}

/**
 * Loop risks: a trigger with `writeback` whose UPDATE listens to every column or to a write-back
 * column records an event for each write-back (the webhook's guards still drop it, but it is a
 * delivery per write; listening to other columns only means none is recorded).
 */
export function writeBackListenWarnings(
  triggers: MetadataTrigger[],
  writeBackColumns: (trigger: string) => string[] | undefined,
): string[] {
  return triggers.flatMap((trigger) => {
    const columns = writeBackColumns(trigger.name);
    if (!columns || trigger.updateColumns === undefined) return [];
    const where = `Hasura trigger ${trigger.name} on ${trigger.table}`;
    if (trigger.updateColumns === '*') {
      return [`${where}: update.columns is "*", so every write-back records an UPDATE event; list the other columns`];
    }
    const heard = trigger.updateColumns.filter((column) => columns.includes(column));
    if (heard.length === 0) return [];
    return [`${where}: update.columns includes write-back column(s) ${heard.join(', ')}; remove them`];
  });
}
