import { WriteBackError } from './errors';
import type { RowWrite } from './row-writer';

/*
 * Hasura parses a GraphQL variable by its column's scalar: `Int` and `Float` take only a JSON number,
 * `Boolean` only a boolean, `String` only a string; `bigint`, `numeric`, `uuid` and the other Postgres
 * scalars take a string (bigint: its digits, so past 2^53 nothing is lost). A key value that is a JSON number
 * (an event row's) is sent as it is; one given as text (a correlation key's, a bigint past 2^53, a text
 * key) is sent in its column's type, which the writer asks Hasura once per table.
 */

/** The key columns' GraphQL scalar names, from the table's `<root>_pk_columns_input` (introspection). */
export type KeyTypes = Record<string, string>;

export const keyTypesQuery = (root: string) =>
  `query BridgeKeyTypes { __type(name: "${root}_pk_columns_input") { inputFields { name type { name ofType { name } } } } }`;

interface IntrospectedField {
  name: string;
  type: { name: string | null; ofType?: { name: string | null } | null };
}

/** The answer's `__type`: every field's scalar (its NON_NULL wrapper unwrapped); undefined when absent. */
export function keyTypesOf(data: Record<string, unknown> | null | undefined): KeyTypes | undefined {
  const type = data?.__type as { inputFields?: IntrospectedField[] } | null | undefined;
  if (!type?.inputFields) return undefined;
  return Object.fromEntries(
    type.inputFields.map((field) => [field.name, field.type.name ?? field.type.ofType?.name ?? '']),
  );
}

/** Whether every key value is already a JSON number, which every numeric scalar of Hasura's accepts. */
export const needsKeyTypes = (key: RowWrite['key']) => Object.values(key).some((value) => typeof value !== 'number');

/** One key value in the JSON its column's scalar takes; a value the scalar cannot hold is refused here. */
export function keyValue(column: string, value: unknown, type: string | undefined): unknown {
  if (typeof value === 'number' || value === null || value === undefined) return value ?? null;
  const text = String(value);
  const refuse = () => new WriteBackError(`key ${column} = "${text}" is not a valid ${type} (Hasura's type)`, true);
  if (type === 'Int') {
    if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw refuse();
    return Number(text);
  }
  if (type === 'Float') {
    if (text.trim() === '' || !Number.isFinite(Number(text))) throw refuse();
    return Number(text);
  }
  if (type === 'Boolean') {
    if (text !== 'true' && text !== 'false') throw refuse();
    return text === 'true';
  }
  return text;
}

/** The key (and the columns that must hold a value) as Hasura's bool_exp: `{ column: { _eq: value } }`, ANDed. */
export function typedWhere(equal: Record<string, unknown>, types: KeyTypes | undefined): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(equal).map(([column, value]) => [column, { _eq: keyValue(column, value, types?.[column]) }]),
  );
}

export function typedKey(key: RowWrite['key'], types: KeyTypes | undefined): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(key).map(([column, value]) => [column, keyValue(column, value, types?.[column])]),
  );
}
