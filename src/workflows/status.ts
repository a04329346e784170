import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { hasChange } from './versions';
import type { EventStatus, TicketState, TicketSummary } from '../contract';
import { IncidentNumber, TicketStatus } from '../contract/search-attributes';

/**
 * Runs recorded before issue 16 upsert TicketStatus on every state and IncidentNumber on its own, and ask the
 * late-check patch after every create (each a billable action on Temporal Cloud).
 */
export const FEWER_ACTIONS_PATCH = '16-fewer-actions';

const PARKED: TicketState = 'waiting-for-operator';
/**
 * The states an operator filters the list by (README "Operating it"): the park and the ends. Every upsert is a
 * billable action on Temporal Cloud, so the passing states (transforming, creating, forwarding, applying,
 * waiting-for-events) live in the `status` query and the current details only.
 */
const LISTED = new Set<TicketState>([PARKED, 'created', 'abandoned', 'failed', 'forwarded', 'idle', 'closed']);

/**
 * The event's status as the `status` query returns it, mirrored into the Web UI's "current details" and, for
 * the states operators list by, into the TicketStatus / IncidentNumber search attributes.
 */
export class StatusTracker {
  readonly status: EventStatus;
  /** Asked at run start (the tracker is made before the first local activity of both workflows). */
  readonly fewerActions = hasChange(FEWER_ACTIONS_PATCH);
  /** TicketStatus as the server has it: the start's value, then the last upserted one. */
  private listed = workflowInfo().typedSearchAttributes.get(TicketStatus);
  private unlistedTicket?: string;

  constructor() {
    const startedAt = workflowInfo().startTime.toISOString();
    this.status = {
      state: 'received',
      attempts: 0,
      operatorRetries: 0,
      parks: 0,
      receivedAt: startedAt,
      updatedAt: startedAt,
    };
  }

  moveTo(state: TicketState, changes: Partial<EventStatus> = {}): void {
    const stateChanged = state !== this.status.state;
    Object.assign(this.status, changes, { state, updatedAt: new Date().toISOString() });
    if (!this.fewerActions) {
      if (stateChanged) upsertSearchAttributes([{ key: TicketStatus, value: state }]);
    } else this.upsertListed();
    setCurrentDetails(this.describe());
  }

  /** The ticket goes into the search attributes with the next state change, in the same upsert. */
  recordTicket(ticket: TicketSummary): void {
    // A new ticket (on_closed: create-new) is not in the row's ticket column until its own write-back: the old
    // report must not tell inbound changes it is (review 14 R2). Query state only: no command, replays as before.
    if (this.status.ticket && this.status.ticket.id !== ticket.id) this.status.writeBack = undefined;
    this.status.ticket = ticket;
    if (this.fewerActions) this.unlistedTicket = ticket.number;
    else upsertSearchAttributes([{ key: IncidentNumber, value: ticket.number }]);
  }

  /** One upsert for a listed state, for leaving the park (or the event would stay in the parked list), and a ticket. */
  private upsertListed(): void {
    const { state } = this.status;
    const pairs: { key: typeof TicketStatus; value: string }[] = [];
    if (state !== this.listed && (LISTED.has(state) || this.listed === PARKED)) {
      pairs.push({ key: TicketStatus, value: state });
      this.listed = state;
    }
    if (this.unlistedTicket) pairs.push({ key: IncidentNumber, value: this.unlistedTicket });
    this.unlistedTicket = undefined;
    if (pairs.length > 0) upsertSearchAttributes(pairs);
  }

  private describe(): string {
    const { state, ticket, lastError, attempts } = this.status;
    if (ticket) return `**${state}** — ticket ${ticket.number}`;
    if (lastError) return `**${state}** after ${attempts} attempt(s): ${lastError.message}`;
    return `**${state}**`;
  }
}
