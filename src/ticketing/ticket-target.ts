import type { TicketFields } from '../contract';
import type { CallStats } from './http';

/**
 * The narrow interface every ticketing system implements (ServiceNow, Jira, generic REST, fakes).
 * Everything above it — activities, workflows — is target-agnostic.
 */

/** Field name → value, as activities hand them over: the contract's type. */
export type { TicketFields };

export interface TicketRef {
  /** The target's stable id (ServiceNow sys_id, Jira issue id). */
  id: string;
  /** The human-facing key (INC0010001, PROJ-12). */
  number: string;
  /** Target-specific state, when known (ServiceNow state code, Jira status name). */
  state?: string;
  /** Creation time as the target reports it; used to keep the oldest of duplicates. */
  createdAt?: string;
  /** Whether the target considers the ticket closed (resolved, closed, cancelled). */
  closed?: boolean;
  url?: string;
}

export interface CallContext {
  /** Aborts the HTTP request when the activity is cancelled or times out. */
  signal?: AbortSignal;
}

export interface TicketTarget {
  readonly kind: string;
  create(input: { correlationId: string; fields: TicketFields }, ctx?: CallContext): Promise<TicketRef>;
  /**
   * Completes a ticket an earlier attempt's create stored but left unfinished, when a retry reuses it (Jira on
   * a site that refuses a comment on create: the comment). Optional: a create of one request leaves nothing.
   */
  finishCreate?(
    ref: TicketRef,
    input: { correlationId: string; fields: TicketFields },
    ctx?: CallContext,
  ): Promise<TicketRef>;
  /** All tickets carrying this correlation key, oldest first. */
  findByCorrelation(correlationId: string, ctx?: CallContext): Promise<TicketRef[]>;
  /**
   * Reads one ticket by id. Optional: a row workflow that knows its ticket reads it here, because a
   * search may not see a ticket created seconds ago (Jira); without it, it searches.
   */
  get?(ref: TicketRef, ctx?: CallContext): Promise<TicketRef>;
  update(ref: TicketRef, fields: TicketFields, ctx?: CallContext): Promise<TicketRef>;
  resolve(ref: TicketRef, fields: TicketFields, ctx?: CallContext): Promise<TicketRef>;
  /**
   * Reopens a closed ticket with the given changes. Optional: a target without it cannot honour
   * the `reopen` policy, and the event parks with a TicketConflictError instead.
   */
  reopen?(ref: TicketRef, fields: TicketFields, ctx?: CallContext): Promise<TicketRef>;
  /** Marks a duplicate that slipped through a timed-out attempt as cancelled, pointing at the kept one. */
  cancelDuplicate(duplicate: TicketRef, kept: TicketRef, ctx?: CallContext): Promise<void>;
}

/** A real target: it owns a connection pool, so it counts its calls and is closed on shutdown. */
export interface PooledTarget extends TicketTarget {
  /** HTTP requests made so far, per operation ('oauthToken' for token requests); retries count again. */
  stats(): CallStats;
  close(): Promise<void>;
}
