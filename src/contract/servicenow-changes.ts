/*
 * ServiceNow back to the source row (issue 14): the ids, inputs and results the receiver, the
 * reconciler, the change workflow and its activities share. Pure: safe in workflow code.
 */

/** One change of one record, as the business rule's call or a reconciler sweep names it. */
export interface ServiceNowChange {
  table: string;
  sysId: string;
  /** The record's sys_mod_count after the change; absent when the caller did not send it. */
  modCount?: number;
}

/**
 * One workflow per change: table + sys_id + sys_mod_count, so a repeated call, a retried call and the
 * reconciler's sweep of the same change start nothing. Without a count (a rule that does not send it)
 * there is no change to name: each call gets its own run, `latest-<arrival>`, so a call landing while an
 * earlier run is past its last read still reads the record once more (joining that run would lose it).
 */
export function serviceNowChangeWorkflowIdFor(change: ServiceNowChange, arrival?: string): string {
  const mod = change.modCount === undefined ? `latest-${arrival}` : String(change.modCount);
  return `servicenow-${change.table}-${change.sysId}-${mod}`;
}

export const SERVICENOW_CHANGE_WORKFLOW_TYPE = 'servicenowChangeWorkflow';
export const SERVICENOW_RECONCILE_WORKFLOW_TYPE = 'servicenowReconcileWorkflow';
/** The reconciler's Schedule before it had one per task queue; an upgraded worker retires the one that was its own. */
export const LEGACY_RECONCILE_SCHEDULE_ID = 'servicenow-reconcile';
/** The reconciler's Schedule is per task queue: deployments sharing a namespace do not overwrite each other's. */
export const serviceNowReconcileScheduleId = (taskQueue: string) => `${LEGACY_RECONCILE_SCHEDULE_ID}-${taskQueue}`;

/** The source row a record maps back to, and the column values its trigger's `inbound:` renders. */
export interface InboundRowWrite {
  trigger: string;
  table: { schema: string; name: string };
  key: Record<string, string>;
  values: Record<string, string | null>;
  /** The row's ticket column must hold this record's sys_id: checked in the UPDATE itself (inbound.ticket_column). */
  onlyIf: Record<string, string>;
}

export type InboundDecision =
  | { kind: 'ignore'; reason: string; modCount?: number }
  /** The row workflow cannot answer yet (no ticket, or a create under way): asked with `rowNotReady: 'wait'` only. */
  | { kind: 'wait'; reason: string }
  | {
      kind: 'write';
      write: InboundRowWrite;
      modCount: number;
      number: string;
      /** sys_updated_by is the bridge's integration user: written all the same, it may hide an agent's change. */
      own?: boolean;
    };

export interface InboundWriteResult {
  rows: number;
  /** Rows whose columns differed and were updated; absent where the writer cannot tell (Hasura). */
  changed?: number;
}

export interface ServiceNowChangeResult {
  outcome: 'written' | 'ignored';
  reason?: string;
  /** The record's sys_mod_count whose values the row holds (written) or that was looked at (ignored). */
  modCount?: number;
  rows?: number;
  /** Of the last write: rows whose columns differed (0: the row already held the values); absent via Hasura. */
  changed?: number;
  /** Rounds of read-and-write: above 1 when the record moved on while the row was being written. */
  rounds: number;
  /**
   * The record still moved after the last round's write was made, unchecked: the row may hold a version
   * older than the record's; that newer change's own workflow (its call, or the reconciler) brings it.
   */
  capped?: boolean;
}

/** A place in the sweep's order (sys_updated_on, sys_id): what an update of another record cannot shift. */
export interface ReconcilePosition {
  updatedOn: string;
  sysId: string;
}

/**
 * Where a trigger's sweep stopped inside a stretch of records the integration user may not read (review 14 (3)):
 * all up to `after` is read or hidden; `until`, the range being narrowed. The next run goes on from there.
 */
export interface ReconcileCarry {
  after: ReconcilePosition;
  until?: ReconcilePosition;
}

export interface ReconcileInput {
  /** ServiceNow `YYYY-MM-DD HH:MM:SS` (UTC): sweep records updated at or after this; absent: the first sweep. */
  since?: string;
  /** Where each trigger (by name) starts; a trigger without one (a result from before them) starts at `since`. */
  cursors?: Record<string, string>;
  /** Triggers (by name) stopped inside a hidden stretch: they go on after its position instead of their cursor. */
  positions?: Record<string, ReconcileCarry>;
}

export interface ReconcileResult {
  /** The earliest of the cursors: where a reader of only `since` (a result from before them) starts every trigger. */
  since: string;
  /**
   * Where the next sweep starts each trigger: its newest sys_updated_on seen, minus the overlap; never moves back.
   * One per trigger, as each is read at its own time: a change made after one was read must not fall behind
   * a cursor taken from a later trigger's newer records.
   */
  cursors: Record<string, string>;
  /** Triggers stopped inside a stretch of hidden records, where their next run goes on (none: absent). */
  positions?: Record<string, ReconcileCarry>;
  seen: number;
  started: number;
  /** Records passed over unread: their prefix is the trigger's, but ACLs hide them from the integration user. */
  hidden?: number;
}

/**
 * What a read does when the row workflow cannot answer yet: `wait` answers so (the change workflow waits on a
 * timer), `fail` fails for good and tells the operators (its wait is over); absent (a workflow from before the
 * wait) fails the attempt, retryably.
 */
export interface ReadChangeOptions {
  rowNotReady?: 'wait' | 'fail';
}

export interface InboundActivities {
  /** Re-reads the record (the truth) and decides: ignore with the reason, or the row write (or wait, if asked). */
  readServiceNowChange(change: ServiceNowChange, options?: ReadChangeOptions): Promise<InboundDecision>;
  /** Writes the rendered columns to the source row through the RowWriter. */
  writeInboundRow(write: InboundRowWrite): Promise<InboundWriteResult>;
  /** One reconciler sweep: starts the change workflow of every bridge ticket updated since `since`. */
  sweepServiceNowChanges(input: ReconcileInput): Promise<ReconcileResult>;
}

/**
 * How the receiver and the reconciler start a change's workflow, alike: a running one is joined; a
 * finished one is not run again (the change is applied), unless it failed. A change without a count
 * has an id of its own per call (`arrival`, the starter's): each such run re-reads the record.
 */
export function serviceNowChangeStart(change: ServiceNowChange, taskQueue: string, arrival: string) {
  return {
    workflowId: serviceNowChangeWorkflowIdFor(change, arrival),
    taskQueue,
    args: [change] as [ServiceNowChange],
    workflowIdConflictPolicy: 'USE_EXISTING' as const,
    workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY' as const,
    staticSummary: `ServiceNow ${change.table} ${change.sysId} change ${change.modCount ?? 'latest'} → source row`,
  };
}
