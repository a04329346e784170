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
   * After a create that needed retries, wait this long and look for a duplicate that a timed-out
   * attempt committed late. ServiceNow cancels any transaction after 60 s, so 90 s covers it.
   */
  duplicateCheckDelayMs: number;
}

export interface EventWorkflowInput {
  event: HasuraEvent;
  /** The key written to the ticket (ServiceNow correlation_id) that makes creation idempotent. */
  correlationId: string;
  policy?: Partial<EventPolicy>;
}

export type TicketState = 'received' | 'transforming' | 'creating' | 'waiting-for-operator' | 'created' | 'abandoned' | 'failed';

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
  /** The last operator action's effect, e.g. a rejected override. */
  operatorNote?: string;
  receivedAt: string;
  updatedAt: string;
}

export type EventOutcome =
  | { status: 'created'; ticket: TicketSummary; reusedExisting: boolean; duplicatesCancelled: number }
  | { status: 'abandoned'; reason: string; lastError?: string };
