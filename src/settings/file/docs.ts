import { z } from 'zod';
import { bridgeFileSchema } from './schema';
import { SECRET_REF_DESCRIPTION, SECRETS_NOT_READ } from './secret-ref';
import { DOCS_FOOTER, DOCS_HEADER } from './docs-prose';

interface Row {
  section: string;
  key: string;
  type: string;
  required: boolean;
  defaultValue?: unknown;
  description?: string;
}

interface Unwrapped {
  schema: z.ZodTypeAny;
  required: boolean;
  nullable: boolean;
  defaultValue?: unknown;
  description?: string;
}

/** Strips optional/default/nullable/effects wrappers, keeping what they say about the key. */
function unwrap(schema: z.ZodTypeAny): Unwrapped {
  const result: Unwrapped = { schema, required: true, nullable: false, description: schema.description };
  for (;;) {
    const current: z.ZodTypeAny = result.schema;
    result.description ??= current.description;
    if (current.description === SECRET_REF_DESCRIPTION) return result;
    if (current instanceof z.ZodOptional) result.required = false;
    else if (current instanceof z.ZodDefault)
      [result.required, result.defaultValue] = [false, current._def.defaultValue()];
    else if (current instanceof z.ZodNullable) result.nullable = true;
    else if (!(current instanceof z.ZodEffects) && !(current instanceof z.ZodPipeline)) return result;
    result.schema =
      current instanceof z.ZodEffects
        ? current._def.schema
        : current instanceof z.ZodPipeline
          ? current._def.in
          : current._def.innerType;
  }
}

function typeName(schema: z.ZodTypeAny): string {
  const { schema: inner, nullable } = unwrap(schema);
  const name = baseTypeName(inner);
  return nullable ? `${name} or null` : name;
}

function baseTypeName(schema: z.ZodTypeAny): string {
  if (schema.description === SECRET_REF_DESCRIPTION) return 'secret reference';
  if (schema instanceof z.ZodString) return 'string';
  if (schema instanceof z.ZodNumber) return 'number';
  if (schema instanceof z.ZodBoolean) return 'boolean';
  if (schema instanceof z.ZodLiteral) return `\`${String(schema._def.value)}\``;
  if (schema instanceof z.ZodEnum) return (schema._def.values as string[]).map((value) => `\`${value}\``).join(', ');
  if (schema instanceof z.ZodArray) return `list of ${typeName(schema._def.type)}`;
  if (schema instanceof z.ZodRecord) return `map of ${typeName(schema._def.valueType)}`;
  if (schema instanceof z.ZodUnion) return (schema._def.options as z.ZodTypeAny[]).map(typeName).join(' or ');
  if (schema instanceof z.ZodObject || schema instanceof z.ZodDiscriminatedUnion) return 'object';
  return 'value';
}

/** One row per key, depth first; record entries appear as `<name>`, each union branch opens a section. */
function collect(schema: z.ZodTypeAny, at: { section: string; prefix: string; key: string }, rows: Row[]): void {
  const info = unwrap(schema);
  const inner = info.schema;
  const { section, prefix, key } = at;
  const child = (name: string) => ({ section, prefix, key: key ? `${key}.${name}` : name });
  if (key)
    rows.push({
      section,
      key,
      type: typeName(schema),
      required: info.required,
      defaultValue: info.defaultValue,
      description: info.description,
    });
  if (inner instanceof z.ZodObject) {
    for (const [name, value] of Object.entries(inner.shape as Record<string, z.ZodTypeAny>))
      collect(value, child(name), rows);
  } else if (inner instanceof z.ZodDiscriminatedUnion) {
    const discriminator = inner._def.discriminator as string;
    for (const option of inner._def.options as z.ZodObject<z.ZodRawShape>[]) {
      const value = (option.shape[discriminator] as z.ZodLiteral<string>)._def.value;
      const path = `${prefix}${key}`;
      collect(
        option,
        { section: `\`${path}\` with \`${discriminator}: ${value}\``, prefix: `${path}.`, key: '' },
        rows,
      );
    }
  } else if (inner instanceof z.ZodRecord) {
    const value = unwrap(inner._def.valueType).schema;
    if (value instanceof z.ZodObject || value instanceof z.ZodDiscriminatedUnion)
      collect(inner._def.valueType, child('<name>'), rows);
  }
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function formatDefault(value: unknown): string {
  return value === undefined ? '' : `\`${cell(JSON.stringify(value))}\``;
}

function table(rows: Row[]): string {
  const lines = rows.map((row) => {
    const cells = [
      `\`${row.key}\``,
      cell(row.type),
      row.required ? 'yes' : '',
      formatDefault(row.defaultValue),
      cell(row.description ?? ''),
    ];
    return `| ${cells.join(' | ')} |`;
  });
  return ['| Key | Type | Required | Default | Description |', '|---|---|---|---|---|', ...lines].join('\n');
}

/** docs/configuration.md, generated from the schema the loader uses, so the reference cannot drift. */
export function configurationReference(): string {
  const rows: Row[] = [];
  collect(bridgeFileSchema(SECRETS_NOT_READ), { section: 'Top level', prefix: '', key: '' }, rows);
  const sections = [...new Set(rows.map((row) => row.section))];
  const body = sections.map((section) => `### ${section}\n\n${table(rows.filter((row) => row.section === section))}`);
  return `${DOCS_HEADER}\n${body.join('\n\n')}\n\n${DOCS_FOOTER}`;
}
