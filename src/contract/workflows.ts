import type { EventPolicy } from './event-policy';
import type { EventRoute, HasuraEvent, HasuraOp, LifecycleRules, Row, RowEvent } from './events';

/** Shapes the webhook starts workflows with and reads back from them. Pure types: safe in workflow code. */
export interface EventWorkflowInput {
  event: HasuraEvent;
  /** The key written to the ticket (ServiceNow correlation_id) that makes creation idempotent. */
  correlationId: string;
  /**
   * Overrides the worker's policy field by field (tests, a one-off operator start). The webhook no
   * longer sets it; inputs of runs started before that still carry the webhook's whole policy.
   */
  policy?: Partial<EventPolicy>;
  /** Absent means `single` (inputs started before lifecycles existed). */
  route?: EventRoute;
  /** Where singleTicketWorkflow runs its create; absent (inputs from before the field) means `ticketing`. */
  createQueue?: CreateQueue;
}

/**
 * Where singleTicketWorkflow schedules its create (TICKET_CREATE_QUEUE of the starter). `workflow`: the workflow's
 * own queue, where the server hands the activity to the worker completing the first workflow task (eager activity
 * dispatch, no matching round trip). `ticketing`: ticketingQueueOf(the workflow's queue), where Temporal's limiter
 * holds creates back at every worker's TICKET_RATE_LIMIT_PER_SECOND.
 */
export type CreateQueue = 'workflow' | 'ticketing';

export interface TicketSummary {
  id: string;
  number: string;
  url?: string;
}

/**
 * How the last write-back went. It never changes the ticket outcome: `failed` is reported (status,
 * outcome, log) after the write-back's own retries ran out; the ticket work is not repeated.
 */
export type WriteBackReport =
  { status: 'written'; action: string; rows: number } | { status: 'failed'; action: string; error: string };

/** One change of the row as its workflow remembers it, to place later deliveries (README "Lifecycle"). */
export interface ChainLink {
  /** The Hasura event id. */
  id: string;
  op: HasuraOp;
  /** `created_at` in UTC with nine fraction digits: compares as text. */
  at: string;
  /** RowImages digests; absent when the forwarder sent none. */
  before?: string | null;
  after?: string | null;
}

/** How a row workflow (issue 12 on) orders its events. */
export interface RowOrderState {
  /** The newest remembered changes, in the database's order as far as it is known. */
  links: ChainLink[];
  /** Whole events that may still turn out to be the row's newest change. */
  held: RowEvent[];
  /** The event the ticket was last brought to (or an operator abandoned): the ordering floor. */
  appliedId?: string;
  /** Events received, for the skipped count. */
  received: number;
  /** Events received since the last decision: a run continued as new decides them, as its previous run would have. */
  unsettled?: number;
  /**
   * Ids of the newest changes that left `links` (patch 16-review-remember-forgotten), newest last: a redelivery of one is
   * known, not placed again as a new change. Absent in state from before the patch.
   */
  forgotten?: string[];
  /**
   * The newest `created_at` (instantKey) of the changes that left `links` (patch 12-review-lives-and-floor): an
   * unknown INSERT stamped before it is a redelivery of a forgotten life's first change, not a new life.
   */
  forgottenFloor?: string;
}

/*
 * Temporal refuses any payload over its blob size limit (2 MiB by default, `limit.blobSize.error`): a row run
 * whose ticket call or continue-as-new input passed it would fail its workflow task forever. These bound what a
 * row run sends: each row image (the forward refuses a larger one), and each payload of its own — a ticket call
 * (the new image and the ticket's last one), the state it carries into its next run (README "Mappings, lifecycle").
 */
export const ROW_IMAGE_BYTES_LIMIT = 768 * 1024;
export const ROW_PAYLOAD_BYTES_LIMIT = 1792 * 1024;

/** What a row workflow remembers between batches and across continue-as-new. */
export interface RowState {
  ticket?: TicketSummary;
  /** The newest event applied: older deliveries are stale and skipped. */
  lastApplied?: { createdAt: string; eventId: string; op: HasuraOp };
  /** Recently seen event ids: a re-forwarded delivery is applied once. */
  seen: string[];
  pending: HasuraEvent[];
  /**
   * The row image of the last applied event: the base for "what changed" on the next update. A carried state
   * (issue 12's bounded carry) leaves it out when a held event has it (`lastRowDigest`), or when it does not fit.
   */
  lastRow?: Row;
  /** lastRow's digest (RowImages): an UPDATE whose images.before it is needs no before-image of its own. */
  lastRowDigest?: string | null;
  applied: number;
  skipped: number;
  /** Set by runs from issue 12 on; `seen` and `pending` then stay empty. */
  order?: RowOrderState;
}

export interface RowWorkflowInput {
  trigger: string;
  table: { schema: string; name: string };
  rowKey: string;
  correlationId: string;
  rules: LifecycleRules;
  /** Overrides the worker's policy, as in EventWorkflowInput. */
  policy?: Partial<EventPolicy>;
  state?: RowState;
}

export type RowAction = 'created' | 'updated' | 'resolved' | 'reopened' | 'unchanged' | 'skipped';

export type TicketState =
  | 'received'
  | 'transforming'
  | 'creating'
  | 'waiting-for-operator'
  | 'created'
  | 'abandoned'
  | 'failed'
  | 'forwarding'
  | 'forwarded'
  | 'waiting-for-events'
  | 'applying'
  | 'closed'
  | 'idle';

export interface EventStatus {
  state: TicketState;
  attempts: number;
  operatorRetries: number;
  lastError?: { message: string; type?: string };
  ticket?: TicketSummary;
  rowKey?: string;
  parkedUntil?: string;
  /** How many times this run has parked; numbers its notifications. */
  parks: number;
  /** Row workflows: what has been applied so far. */
  row?: {
    pending: number;
    applied: number;
    skipped: number;
    lastApplied?: RowState['lastApplied'];
    lastAction?: RowAction;
  };
  /** The last write-back into the row (triggers with `writeback` only). */
  writeBack?: WriteBackReport;
  /** The last operator action's effect, e.g. a batch signal ignored because nothing was parked. */
  operatorNote?: string;
  receivedAt: string;
  updatedAt: string;
}

export type EventOutcome =
  | {
      status: 'created';
      ticket: TicketSummary;
      reusedExisting: boolean;
      duplicatesCancelled: number;
      writeBack?: WriteBackReport;
      /** Why a run the operator abandoned is created: an earlier attempt's ticket was found after the abandon. */
      note?: string;
    }
  /** `note`: an abandon after a possible write whose lookup failed; a ticket may exist. */
  | { status: 'abandoned'; reason: string; lastError?: string; note?: string }
  | { status: 'forwarded'; rowWorkflowId: string };

/** The memo key under which a row workflow that finishes idle leaves its state for the next run. */
export const ROW_STATE_MEMO = 'rowState';

export interface RowOutcome {
  /** `idle`: finished after ROW_IDLE without events; the next event's run resumes from ROW_STATE_MEMO. */
  status: 'closed' | 'abandoned' | 'idle';
  ticket?: TicketSummary;
  applied: number;
  skipped: number;
}

/**
 * The row workflow as its callers see it: activities start it by name (signal-with-start) and may
 * not import workflow code. src/workflows exports a function of this name and type.
 */
export const ROW_WORKFLOW_TYPE = 'rowTicketWorkflow';
export type RowTicketWorkflow = (input: RowWorkflowInput) => Promise<RowOutcome>;

/**
 * The workflow of a `single` event from issue 16 on (the webhook, catch-up and backfill start it): the create in one
 * activity (on the queue EventWorkflowInput.createQueue names), no patch markers. hasuraEventWorkflow keeps row
 * events and runs started before.
 */
export const SINGLE_TICKET_WORKFLOW_TYPE = 'singleTicketWorkflow';

/** A workflow queue's ticketing queue: every worker polls it at the rate limit (creates of createQueue `ticketing`). */
export const ticketingQueueOf = (workflowTaskQueue: string): string => `${workflowTaskQueue}-ticketing`;
