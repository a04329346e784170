import type { SourceConfig } from '../config/source';
import { createHasuraRowWriter } from './hasura-writer';
import { createPostgresRowWriter } from './postgres-writer';
import type { RowWriter } from './row-writer';

/** The row writers the `source:` section makes possible, by `writeback.via`; each closed with the worker. */
export type RowWriters = Partial<Record<'postgres' | 'hasura', RowWriter>>;

/** Both are lazy (no connection before the first write), so configuring a source costs nothing unused. */
export function createRowWriters(source: SourceConfig): RowWriters {
  return {
    ...(source.postgres ? { postgres: createPostgresRowWriter({ url: source.postgres.url }) } : {}),
    ...(source.hasura ? { hasura: createHasuraRowWriter(source.hasura) } : {}),
  };
}

export async function closeRowWriters(writers: RowWriters): Promise<void> {
  await Promise.all(Object.values(writers).map((writer) => writer.close()));
}
