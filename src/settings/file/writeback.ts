import type { Liquid } from 'liquidjs';
import type { WritebackConfig } from '../../config/bridge-config';
import type { SourceConfig } from '../../config/source';
import { compileTemplates, type Lookups } from '../../templating/liquid';
import type { TriggerInput } from './trigger-schema';

type WritebackInput = NonNullable<TriggerInput['writeback']>;

/** `schema.name`, split at the first dot (PostgreSQL schema names rarely hold one; table names may). */
function tableOf(text: string): { schema: string; name: string } {
  const dot = text.indexOf('.');
  return { schema: text.slice(0, dot), name: text.slice(dot + 1) };
}

/** The file's `writeback:` as the worker uses it; `null` (a trigger switching a default off) is none. */
export function toWritebackConfig(input: WritebackInput | null): WritebackConfig | undefined {
  if (!input) return undefined;
  const { via, columns, error_columns: errorColumns } = input;
  return { via, ...(input.table ? { table: tableOf(input.table) } : {}), columns, errorColumns };
}

// Hasura names GraphQL fields after columns and tables: only GraphQL names can be written through it.
export const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

export interface WritebackCheck {
  path: string;
  engine: Liquid;
  lookups: Lookups;
  source: SourceConfig;
  problems: string[];
}

/** Templates compile, the `via` has its `source:` entry, and through Hasura every name is a GraphQL name. */
export function checkWriteback(input: WritebackInput, check: WritebackCheck): void {
  const path = `${check.path}.writeback`;
  const { problems } = check;
  for (const [key, sources] of [
    ['columns', input.columns],
    ['error_columns', input.error_columns],
  ] as const) {
    compileTemplates(check.engine, sources, { path: `${path}.${key}`, problems, lookups: check.lookups });
  }
  if (Object.keys(input.columns).length + Object.keys(input.error_columns).length === 0) {
    problems.push(`${path}: names no columns (give columns or error_columns, or remove writeback)`);
  }
  if (!check.source[input.via]) {
    const needs = input.via === 'postgres' ? 'source.postgres.url' : 'source.hasura (url, admin_secret, role)';
    problems.push(`${path}.via: ${input.via} needs ${needs}, which is not configured`);
  }
  if (input.via !== 'hasura') return;
  const table = input.table ? Object.values(tableOf(input.table)) : [];
  const names = [...Object.keys(input.columns), ...Object.keys(input.error_columns), ...table];
  for (const name of names.filter((candidate) => !GRAPHQL_NAME.test(candidate))) {
    problems.push(`${path}: "${name}" is not a GraphQL name, so Hasura cannot expose it (use via: postgres)`);
  }
}
