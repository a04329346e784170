import type { Pool } from 'pg';
import type { RowWrite } from './row-writer';

/** A column's declared type (format_type: `character varying(20)`, `public.mood`...) when it has no equality. */
export type TextCompared = Record<string, string>;

/*
 * Columns whose type has no default btree or hash operator class (json, xml, point, arrays and composites, whose
 * classes are polymorphic) have no `=` the quiet write's IS DISTINCT FROM can use: "operator does not exist".
 * Those are compared as the text of both values in the column's type (json keeps its text, jsonb normalises):
 * equal text means equal values, so a row holding the values is still left alone. A domain counts as its base.
 */
const COLUMN_TYPES = `
  SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
    EXISTS (SELECT 1 FROM pg_opclass c JOIN pg_am m ON m.oid = c.opcmethod
      WHERE c.opcdefault AND m.amname IN ('btree', 'hash')
        AND c.opcintype = COALESCE(NULLIF(t.typbasetype, 0), a.atttypid)) AS equality
  FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
  WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`;

/** Looks each table's column types up once (a failed lookup is asked again next time), for the whole pool's life. */
export function textComparedColumns(pool: Pool, qualifiedName: (table: RowWrite['table']) => string) {
  const cache = new Map<string, Promise<TextCompared>>();
  return (table: RowWrite['table']): Promise<TextCompared> => {
    const name = qualifiedName(table);
    let lookup = cache.get(name);
    if (!lookup) {
      lookup = pool
        .query<{ name: string; type: string; equality: boolean }>(COLUMN_TYPES, [name])
        .then((result) =>
          Object.fromEntries(result.rows.filter((row) => !row.equality).map((row) => [row.name, row.type])),
        );
      lookup.catch(() => cache.delete(name));
      cache.set(name, lookup);
    }
    return lookup;
  };
}
