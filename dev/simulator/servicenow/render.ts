import { CHOICE_LABELS, REFERENCE_TABLES } from './incident-schema';
import type { SimRecord } from './store';

/** How a response shows a record, from sysparm_display_value / _exclude_reference_link / _fields. */
export interface RenderOptions {
  displayValue: 'false' | 'true' | 'all';
  excludeReferenceLink: boolean;
  /** Only these fields, in this order; invalid names are ignored. Undefined means every field. */
  fields?: readonly string[];
  baseUrl: string;
}

/** A reference's display value (the target record's name/number), or "" when it does not resolve. */
export type DisplayLookup = (table: string, sysId: string) => string;

type RenderedValue = string | Record<string, string>;

function renderReference(target: string, value: string, options: RenderOptions, lookup: DisplayLookup): RenderedValue {
  const display = value ? lookup(target, value) : '';
  if (!value) return options.displayValue === 'all' ? { display_value: '', value: '' } : '';
  const link = `${options.baseUrl}/api/now/table/${target}/${value}`;
  switch (options.displayValue) {
    case 'false':
      return options.excludeReferenceLink ? value : { link, value };
    case 'true':
      return options.excludeReferenceLink ? display : { display_value: display, link };
    case 'all':
      return options.excludeReferenceLink ? { display_value: display, value } : { display_value: display, link, value };
  }
}

function renderPlain(field: string, value: string, options: RenderOptions): RenderedValue {
  if (options.displayValue === 'false') return value;
  const display = CHOICE_LABELS[field]?.[value] ?? value;
  return options.displayValue === 'true' ? display : { display_value: display, value };
}

export function renderRecord(
  table: string,
  record: SimRecord,
  options: RenderOptions,
  lookup: DisplayLookup,
): Record<string, RenderedValue> {
  const fields = options.fields?.filter((field) => field in record) ?? Object.keys(record);
  const rendered: Record<string, RenderedValue> = {};
  for (const field of fields) {
    const target = table === 'incident' ? REFERENCE_TABLES[field] : undefined;
    const value = record[field];
    rendered[field] = target ? renderReference(target, value, options, lookup) : renderPlain(field, value, options);
  }
  return rendered;
}

/** Parses the sysparm_* query parameters that shape a response; anything unrecognised means the default. */
export function renderOptionsFrom(query: Record<string, unknown>, baseUrl: string): RenderOptions {
  const displayValue = String(query.sysparm_display_value ?? 'false').toLowerCase();
  const fields =
    typeof query.sysparm_fields === 'string' && query.sysparm_fields.trim() !== ''
      ? query.sysparm_fields.split(',').map((field) => field.trim())
      : undefined;
  return {
    displayValue: displayValue === 'true' || displayValue === 'all' ? displayValue : 'false',
    excludeReferenceLink: String(query.sysparm_exclude_reference_link).toLowerCase() === 'true',
    fields,
    baseUrl,
  };
}
