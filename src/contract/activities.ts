import type { CatchUpCounts, CatchUpInput } from './catch-up';
import type { EventPolicy } from './event-policy';
import type { EventRoute, HasuraEvent, LifecycleRules, Row, RowEvent, WriteBackPlan } from './events';
import type { RowAction, TicketSummary } from './workflows';

/*
 * What workflows may ask of activities, and what they get back. src/activities implements
 * BridgeActivities; workflows proxy it by these names (the names are the activity types in history).
 */

/** Ticket field name → value, as the mapping renders them and the targets write them. */
export type TicketFields = Record<string, string>;

export interface TransformInput {
  event: HasuraEvent;
  /** Operator-supplied field values (validated by the workflow) that win over the mapping. */
  overrides?: Record<string, string>;
}

export interface TransformResult {
  fields: TicketFields;
  rowKey: string;
  /** The configured ticketing target of the event's trigger. */
  target: string;
  /**
   * The worker's timing, recorded in history with the first local activity at no extra cost.
   * Results recorded before the worker owned the timing lack it; only patched runs read it.
   */
  policy: EventPolicy;
  /** Which write-backs the trigger has; absent (none, or a worker from before issue 13): none is scheduled. */
  writeBack?: WriteBackPlan;
}

export interface CreateTicketInput {
  target: string;
  correlationId: string;
  fields: TicketFields;
  /**
   * May a ticket for this key already exist (a reset run, an operator retry, an old event)? Then the
   * activity looks the key up before creating. Absent — an input scheduled by a worker from before this
   * name — counts as true: one lookup too many is safe, a second ticket is not.
   */
  ticketMayExist?: boolean;
}

export interface CreateTicketResult {
  target: string;
  ticket: TicketSummary;
  reusedExisting: boolean;
  attempt: number;
  /**
   * Did this attempt start knowing that an earlier attempt or run may have written the ticket? That write
   * may still commit after this one, so the workflow runs the late-duplicate check, whether this attempt
   * created or reused. Absent in results of workers from before this field.
   */
  ticketMayExist?: boolean;
}

export interface EventTicketInput {
  event: HasuraEvent;
  correlationId: string;
  /** Operator-supplied field values that win over the mapping. */
  overrides: Record<string, string>;
  /** True after a reset or an operator retry: look the key up before creating. */
  ticketMayExist: boolean;
  /** The workflow input's policy overrides, over the worker's policy. */
  policy?: Partial<EventPolicy>;
  /** The run's start (ISO 8601): the old-event rule measures the event's age at it. */
  runStartedAt: string;
}

/**
 * What createEventTicket learned before its create: the worker's policy, the row key, the trigger's write-backs.
 * In its result, and in a failure after the mapping as `details[1]`: a parked event's run needs them too.
 */
export interface EventTicketFacts {
  policy: EventPolicy;
  rowKey: string;
  /** The mapping's ticket target (absent from workers before the review of issue 16). */
  target?: string;
  writeBack?: WriteBackPlan;
}

export type EventTicketResult = CreateTicketResult & EventTicketFacts;

export interface DuplicateCheckInput {
  target: string;
  correlationId: string;
  /** The ticket to keep (a row's ticket); the other open ones are cancelled. Absent: the oldest is kept. */
  keep?: TicketSummary;
}

export interface DuplicateCheckResult {
  /** The oldest ticket of the key, kept open: the one the workflow reports. */
  kept?: TicketSummary;
  cancelled: number;
}

export interface ForwardInput {
  route: Extract<EventRoute, { kind: 'row' }>;
  /** The workflows' task queue (this activity may run on the ticketing queue). */
  taskQueue: string;
  event: HasuraEvent;
  /** The event workflow's input override, handed on to the row workflow. */
  policy?: Partial<EventPolicy>;
}

export interface ApplyRowEventInput {
  trigger: string;
  correlationId: string;
  /** An UPDATE's `data.old` may be left out when it is `previousRow` (images.before is its digest). */
  event: RowEvent;
  previousRow?: Row;
  /** previousRow's digest, the whole image's (a trimmed or cut previousRow has another); absent from older runs. */
  previousRowDigest?: string | null;
  rules: LifecycleRules;
  overrides: Record<string, string>;
  /** The row's ticket as the workflow knows it: read by id, no search. Absent: searched by correlation key. */
  ticket?: TicketSummary;
}

export interface ApplyRowEventResult {
  action: RowAction;
  target: string;
  ticket?: TicketSummary;
  attempt: number;
  note?: string;
  /** This call created the ticket (a DELETE that came first creates one too). Absent in old results: action 'created'. */
  created?: boolean;
}

/**
 * One write-back of the ticket into the event's row. No secrets and no rendered values: the worker
 * renders its current `writeback` templates from what history already holds (the event, the ticket).
 */
export interface WriteBackInput {
  event: HasuraEvent;
  /** `parked` writes `error_columns`; the others write `columns`. */
  action: Exclude<RowAction, 'unchanged' | 'skipped'> | 'parked';
  ticket?: TicketSummary;
  /** When parked: why, after how many attempts, and until when it waits for an operator. */
  failure?: { message: string; type?: string; attempts: number; parkedUntil?: string };
}

export interface WriteBackResult {
  /** Rows changed: 0 when the row is gone (deleted since), which is not an error. */
  rows: number;
  /** The columns written (for the status and the log; values stay in the row). */
  columns: string[];
}

export type NotifyChannel = 'email' | 'chat' | 'webhook';

/** What the workflow knows when an event cannot become a ticket; the activity adds the Web UI link. */
export interface FailureFacts {
  workflowId: string;
  runId: string;
  trigger: string;
  /** `schema.name` */
  table: string;
  op: string;
  eventId: string;
  rowKey?: string;
  lastError: { message: string; type?: string };
  attempts: number;
  /** ISO 8601 */
  occurredAt: string;
  /** `stuck`: a change workflow's step still retrying past the retry schedule's maximum of attempts. */
  outcome: 'parked' | 'failed' | 'stuck';
  /** ISO 8601, when outcome is 'parked' */
  parkedUntil?: string;
  /**
   * Which park of this run (1, 2, ... after operator retries): with the workflow and run ids it names
   * one notification, so a resent one can be recognised. Absent in facts from older workflow code.
   */
  park?: number;
}

export interface BridgeActivities {
  /** Local activity: maps the event to ticket fields and names its target. */
  transformEvent(input: TransformInput): Promise<TransformResult>;
  /** Local activity: the worker's timing, for runs that have no transformEvent result yet. */
  workerPolicy(): Promise<EventPolicy>;
  createTicket(input: CreateTicketInput): Promise<CreateTicketResult>;
  /** singleTicketWorkflow's one activity: mapping, old-event rule and create, under the worker's policy. */
  createEventTicket(input: EventTicketInput): Promise<EventTicketResult>;
  /** Keeps the oldest ticket of a correlation key and cancels the rest (a late-committed duplicate). */
  cancelDuplicateTickets(input: DuplicateCheckInput): Promise<DuplicateCheckResult>;
  /** Signal-with-start of the row's workflow. */
  forwardToRowWorkflow(input: ForwardInput): Promise<void>;
  /** Local activity: how the worker's config says this trigger's rows follow their events. */
  lifecycleRules(trigger: string): Promise<LifecycleRules>;
  applyRowEvent(input: ApplyRowEventInput): Promise<ApplyRowEventResult>;
  /** Writes the ticket (or a park's error) back into the row: its own retry schedule, never ticket work. */
  writeBackRow(input: WriteBackInput): Promise<WriteBackResult>;
  notifyChannels(): Promise<NotifyChannel[]>;
  notifyFailure(channel: NotifyChannel, facts: FailureFacts): Promise<'sent' | 'skipped'>;
  logFailure(facts: FailureFacts): Promise<void>;
  /** One catch-up sweep of hdb_catalog.event_log (the worker's Schedule). */
  catchUpSweep(input: CatchUpInput): Promise<CatchUpCounts>;
}
