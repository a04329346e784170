/** What a Hasura event is once the webhook accepted it, and where it goes. Pure types. */
export type HasuraOp = 'INSERT' | 'UPDATE' | 'DELETE' | 'MANUAL';
export type Row = Record<string, unknown>;

/** The part of a Hasura delivery the workflow needs; delivery_info and trace ids stay at the edge. */
export interface HasuraEvent {
  eventId: string;
  trigger: string;
  table: { schema: string; name: string };
  op: HasuraOp;
  createdAt: string;
  data: { old: Row | null; new: Row | null };
  sessionVariables: Record<string, string> | null;
}

/**
 * Digests of the row images of one change (sha256 of the image's canonical JSON): what the row was
 * before it and after it; null = no row (before an INSERT, after a DELETE). The forwarder adds them.
 */
export interface RowImages {
  before: string | null;
  after: string | null;
}

/** A lifecycle event as its row workflow receives it; `images` is absent from forwarders older than issue 12. */
export interface RowEvent extends HasuraEvent {
  images?: RowImages;
}

/** Which write-backs a trigger has (from the worker's config, recorded with a local activity's result). */
export interface WriteBackPlan {
  /** `columns`: after a create, update, resolve or reopen. */
  onTicket: boolean;
  /** `error_columns`: when the event parks. */
  onPark: boolean;
}

/** How the row's ticket follows later events (from the trigger's `lifecycle` config). */
export interface LifecycleRules {
  /** The trigger's write-backs, as the worker's lifecycleRules reads them; absent = none (and in routes). */
  writeBack?: WriteBackPlan;
  manual: 'create' | 'upsert';
  onClosed: 'reopen' | 'create-new' | 'ignore';
  /** Deliveries of one row arriving within this window are applied in `created_at` order. */
  reorderWindowMs: number;
}

/**
 * Where an event goes. `single`: its own ticket, keyed by the event. `row`: the row's one ticket,
 * kept by a row-keyed workflow that applies events in order (README "Lifecycle").
 */
export type EventRoute =
  | { kind: 'single' }
  | { kind: 'row'; rowWorkflowId: string; rowCorrelationId: string; rowKey: string; rules: LifecycleRules };
