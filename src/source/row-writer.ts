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
}

export interface RowWriteResult {
  /** Rows changed: 0 when the row is gone (deleted since), which is not an error. */
  rows: number;
  /** With `onlyChanged`, through PostgreSQL: rows whose values differed and were updated (0 or 1). */
  changed?: number;
}

export interface RowWriter {
  write(request: RowWrite): Promise<RowWriteResult>;
  close(): Promise<void>;
}
