/** Shapes shared by the webhook, the workflow and the activities. Pure types: safe in workflow code. */
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

export interface RetrySchedule {
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
  /** Attempts before the event is parked for an operator. */
  maximumAttempts: number;
}

/** Timing knobs; the webhook sends the configured ones, tests send short ones. No secrets here. */
export interface EventPolicy {
  ticketRetry: RetrySchedule;
  /** One attempt's budget; the HTTP client's own timeout is shorter so it can report why. */
  attemptTimeoutMs: number;
  /** How long a failed event waits for an operator's retry/abandon before it ends failed. */
  parkTimeoutMs: number;
  /**
   * Ticket calls go to this task queue when set: a worker polls it with a task-queue-wide rate
   * limit, so the ticketing API's limit holds across any number of workers.
   */
  ticketTaskQueue?: string;
  /** After the row's ticket is closed by a DELETE, how long the row workflow waits for late events. */
  rowRetentionMs: number;
  /**
   * After a create that needed retries, wait this long and look for a duplicate that a timed-out
   * attempt committed late. ServiceNow cancels any transaction after 60 s, so 90 s covers it.
   */
  duplicateCheckDelayMs: number;
}

/** How the row's ticket follows later events (from the trigger's `lifecycle` config). */
export interface LifecycleRules {
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

export interface EventWorkflowInput {
  event: HasuraEvent;
  /** The key written to the ticket (ServiceNow correlation_id) that makes creation idempotent. */
  correlationId: string;
  policy?: Partial<EventPolicy>;
  /** Absent means `single` (inputs started before lifecycles existed). */
  route?: EventRoute;
}

/** What a row workflow remembers between batches and across continue-as-new. */
export interface RowState {
  ticket?: TicketSummary;
  /** The newest event applied: older deliveries are stale and skipped. */
  lastApplied?: { createdAt: string; eventId: string; op: HasuraOp };
  /** Recently seen event ids: a re-forwarded delivery is applied once. */
  seen: string[];
  pending: HasuraEvent[];
  /** The row image of the last applied event: the base for "what changed" on the next update. */
  lastRow?: Row;
  applied: number;
  skipped: number;
}

export interface RowWorkflowInput {
  trigger: string;
  table: { schema: string; name: string };
  rowKey: string;
  correlationId: string;
  rules: LifecycleRules;
  policy?: Partial<EventPolicy>;
  state?: RowState;
}

export type RowAction = 'created' | 'updated' | 'resolved' | 'reopened' | 'unchanged' | 'skipped';

export type TicketState =
  | 'received' | 'transforming' | 'creating' | 'waiting-for-operator' | 'created' | 'abandoned' | 'failed'
  | 'forwarding' | 'forwarded' | 'waiting-for-events' | 'applying' | 'closed';

export interface TicketSummary {
  id: string;
  number: string;
  url?: string;
}

export interface EventStatus {
  state: TicketState;
  attempts: number;
  operatorRetries: number;
  lastError?: { message: string; type?: string };
  ticket?: TicketSummary;
  rowKey?: string;
  parkedUntil?: string;
  /** Row workflows: what has been applied so far. */
  row?: { pending: number; applied: number; skipped: number; lastApplied?: RowState['lastApplied']; lastAction?: RowAction };
  /** The last operator action's effect, e.g. a rejected override. */
  operatorNote?: string;
  receivedAt: string;
  updatedAt: string;
}

export type EventOutcome =
  | { status: 'created'; ticket: TicketSummary; reusedExisting: boolean; duplicatesCancelled: number }
  | { status: 'abandoned'; reason: string; lastError?: string }
  | { status: 'forwarded'; rowWorkflowId: string };

export interface RowOutcome {
  status: 'closed' | 'abandoned';
  ticket?: TicketSummary;
  applied: number;
  skipped: number;
}
