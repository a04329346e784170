import type { Pool } from 'pg';
import type { RowWrite } from './row-writer';

/**
 * A column's base type without its typmod (format_type: `character varying`, `numeric[]`, `json`...) when it has
 * no equality: cast with the typmod (`character varying(10)`), an explicit cast, would truncate the value compared.
 */
export type TextCompared = Record<string, string>;

/*
 * Columns whose type has no default btree or hash operator class of its own (json, xml and point have none;
 * varchar's are text's, arrays' and composites' polymorphic) may have no `=` the quiet write's IS DISTINCT FROM
 * can use: "operator does not exist". They are compared as the text of both values in the column's base type
 * (json keeps its text, jsonb normalises): equal text means equal values, so a row holding the values is still
 * left alone. A domain counts as its base.
 */
const COLUMN_TYPES = `
  SELECT a.attname AS name, format_type(COALESCE(NULLIF(t.typbasetype, 0), a.atttypid), NULL) AS type,
    EXISTS (SELECT 1 FROM pg_opclass c JOIN pg_am m ON m.oid = c.opcmethod
      WHERE c.opcdefault AND m.amname IN ('btree', 'hash')
        AND c.opcintype = COALESCE(NULLIF(t.typbasetype, 0), a.atttypid)) AS equality
  FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
  WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`;

export interface ColumnTypes {
  /** The table's text-compared columns, looked up once (a failed lookup is asked again next time). */
  of(table: RowWrite['table']): Promise<TextCompared>;
  /** Forgets the table's lookup: the next write asks again (the table was altered since). */
  forget(table: RowWrite['table']): void;
}

export function textComparedColumns(pool: Pool, qualifiedName: (table: RowWrite['table']) => string): ColumnTypes {
  const cache = new Map<string, Promise<TextCompared>>();
  return {
    of(table) {
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
    },
    forget: (table) => cache.delete(qualifiedName(table)),
  };
}
