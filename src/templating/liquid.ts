import { Liquid, type Template } from 'liquidjs';

/** Named key → value tables for the `lookup` filter (e.g. severity → ServiceNow urgency). */
export type Lookups = Record<string, Record<string, string>>;

export type CompiledTemplate = Template[];

/**
 * The one Liquid setup every template goes through. Autoescape stays off: ticket fields are plain
 * text, never HTML, and templates are operator-written. Row values are data: Liquid prints them and
 * never parses them again, so a row holding `{{ }}` comes out literally.
 */
export function createLiquid(lookups: Lookups = {}): Liquid {
  const engine = new Liquid({ strictFilters: true, ownPropertyOnly: true });
  engine.registerFilter('lookup', (value: unknown, table: unknown) => lookupValue(lookups, value, table));
  engine.registerFilter('servicenow_datetime', serviceNowDateTime);
  return engine;
}

/**
 * A key missing from the table gives nil, so `| lookup: 't' | default: 'x'` falls back; an unknown
 * table is a configuration mistake the loader already reports, so at render time it throws.
 */
function lookupValue(lookups: Lookups, value: unknown, table: unknown): string | undefined {
  const name = String(table);
  if (!Object.hasOwn(lookups, name)) throw new Error(`unknown lookup table "${name}"`);
  const key = String(value ?? '');
  return Object.hasOwn(lookups[name], key) ? lookups[name][key] : undefined;
}

/** `YYYY-MM-DD HH:MM:SS` in UTC, ServiceNow's glide_date_time; Hasura's zone-less timestamps are UTC. */
export function serviceNowDateTime(value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  const text = String(value);
  const hasZone = /(Z|[+-]\d\d:?\d\d)$/i.test(text);
  const date =
    typeof value === 'number' ? new Date(value) : new Date(hasZone || !text.includes('T') ? text : `${text}Z`);
  if (Number.isNaN(date.getTime()))
    throw new Error(`servicenow_datetime: not a date: ${JSON.stringify(text.slice(0, 60))}`);
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** Lookup tables a template names literally (`lookup: 'name'`), so the loader can check them. */
export function lookupTablesNamedIn(source: string): string[] {
  return [...source.matchAll(/\|\s*lookup\s*:\s*(['"])([^'"]*)\1/g)].map((match) => match[2]);
}

/**
 * Parses every template of a set once; each syntax error becomes one problem naming `path.key`.
 * Returns undefined when any failed.
 */
export function compileTemplates(
  engine: Liquid,
  sources: Record<string, string>,
  options: { path: string; problems: string[]; lookups?: Lookups },
): Record<string, CompiledTemplate> | undefined {
  const compiled: Record<string, CompiledTemplate> = {};
  let failed = false;
  for (const [key, source] of Object.entries(sources)) {
    const where = `${options.path}.${key}`;
    try {
      compiled[key] = engine.parse(source);
    } catch (error) {
      failed = true;
      options.problems.push(`${where}: template error: ${(error as Error).message}`);
    }
    for (const table of options.lookups ? lookupTablesNamedIn(source) : []) {
      if (Object.hasOwn(options.lookups ?? {}, table)) continue;
      failed = true;
      const known = Object.keys(options.lookups ?? {}).join(', ') || 'none';
      options.problems.push(`${where}: unknown lookup table "${table}" (defined under lookups: ${known})`);
    }
  }
  return failed ? undefined : compiled;
}
