import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { EventStatus, TicketState, TicketSummary } from '../contract';
import { IncidentNumber, TicketStatus } from '../contract/search-attributes';

/**
 * The event's status as the `status` query returns it, mirrored into the TicketStatus /
 * IncidentNumber search attributes and the Web UI's "current details" so the list view is readable.
 */
export class StatusTracker {
  readonly status: EventStatus;

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
    if (stateChanged) upsertSearchAttributes([{ key: TicketStatus, value: state }]);
    setCurrentDetails(this.describe());
  }

  recordTicket(ticket: TicketSummary): void {
    this.status.ticket = ticket;
    upsertSearchAttributes([{ key: IncidentNumber, value: ticket.number }]);
  }

  private describe(): string {
    const { state, ticket, lastError, attempts } = this.status;
    if (ticket) return `**${state}** — ticket ${ticket.number}`;
    if (lastError) return `**${state}** after ${attempts} attempt(s): ${lastError.message}`;
    return `**${state}**`;
  }
}
