/*
 * The one way the bridge writes to a source row (write-back of the ticket, ServiceNow changes flowing
 * back): by the row's key, only the named columns. Implementations: PostgreSQL (parameterised UPDATE)
 * and Hasura (`update_<table>_by_pk` as the bridge's backend-only role).
 */

export interface RowWrite {
  table: { schema: string; name: string };
  /** Primary-key column → value as the event carried it (bigints as their digits, never a lossy number). */
  key: Record<string, unknown>;
  /** Column → value; null clears the column. */
  values: Record<string, string | null>;
  /**
   * Write only a row whose columns differ from `values`, so rewriting what the row holds makes no row
   * version and no event (ServiceNow back to the row). PostgreSQL only; Hasura writes unconditionally.
   */
  onlyChanged?: boolean;
  /**
   * Column → the value it must hold for the row to be written, checked in the same statement (an inbound
   * write's ticket column: a row bound to another ticket is not written, and 0 rows is the answer).
   */
  onlyIf?: Record<string, string>;
  /** Ends the write's statement after this long, if below the writer's own timeout (PostgreSQL only). */
  timeoutMs?: number;
}

/** One row's columns, by its key: what a row's ticket column holds before an inbound write (as text). */
export interface RowRead {
  table: RowWrite['table'];
  key: RowWrite['key'];
  columns: string[];
}

export interface RowWriteResult {
  /** Rows changed: 0 when the row is gone (deleted since), which is not an error. */
  rows: number;
  /** With `onlyChanged`, through PostgreSQL: rows whose values differed and were updated (0 or 1). */
  changed?: number;
}

export interface RowWriter {
  write(request: RowWrite): Promise<RowWriteResult>;
  /** The columns as text (null for NULL); undefined when no row has the key. */
  read(request: RowRead): Promise<Record<string, string | null> | undefined>;
  close(): Promise<void>;
}
