import type { RowWrite, RowWriter, RowWriteResult } from '../../src/source/row-writer';

/**
 * An in-memory RowWriter for workflow recordings (test/replay): a history holds the write-back's
 * input and result, not how the row was written; the writers themselves are tested on a real PostgreSQL.
 */
export class RecordingRowWriter implements RowWriter {
  readonly writes: RowWrite[] = [];
  /** Thrown by the next writes, in order. */
  failures: Error[] = [];

  async write(request: RowWrite): Promise<RowWriteResult> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.writes.push(request);
    return { rows: 1 };
  }

  /** Recordings never read a row (inbound writes run against the real writers). */
  async read(): Promise<undefined> {
    return undefined;
  }

  async close(): Promise<void> {}
}
