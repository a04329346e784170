import { Client as PgClient } from 'pg';
import type { RowWrite, RowWriter } from '../../src/source/row-writer';

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * A test-only RowWriter over real PostgreSQL (one connection), standing in until the product's writers
 * (issue 13) are on this branch. It counts its writes, so a test can prove a change wrote nothing.
 */
export interface TestRowWriter extends RowWriter {
  writes: RowWrite[];
  /** Runs before each write: a test makes something happen in the middle of the write path. */
  beforeWrite?: (request: RowWrite) => void;
}

export async function testRowWriter(url: string): Promise<TestRowWriter> {
  const client = new PgClient({ connectionString: url });
  await client.connect();
  const writes: RowWrite[] = [];
  const writer: TestRowWriter = {
    writes,
    async write(request) {
      writer.beforeWrite?.(request);
      writes.push(request);
      const columns = Object.keys(request.values);
      const keys = Object.keys(request.key);
      const set = columns.map((column, i) => `${quote(column)} = $${i + 1}`).join(', ');
      const where = keys.map((key, i) => `${quote(key)} = $${columns.length + i + 1}`).join(' AND ');
      const table = `${quote(request.table.schema)}.${quote(request.table.name)}`;
      const values = [...columns.map((c) => request.values[c]), ...keys.map((k) => String(request.key[k]))];
      const result = await client.query(`UPDATE ${table} SET ${set} WHERE ${where}`, values);
      return { rows: result.rowCount ?? 0 };
    },
    close: () => client.end(),
  };
  return writer;
}
