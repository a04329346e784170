import { Context } from '@temporalio/activity';
import type { ApplyRowEventInput, HasuraEvent, Row, RowAction, TicketSummary } from '../contract';
import { sameSysId } from '../common/sys-id';
import { rowChanges, type EventMapper } from '../mapping/mapper';
import { TicketConflictError } from '../ticketing/errors';
import type { CallContext, TicketFields, TicketRef, TicketTarget } from '../ticketing/ticket-target';

/** What one applyRowEvent call did to the row's ticket. */
export interface RowTicketChange {
  action: RowAction;
  ticket?: TicketRef;
  note?: string;
  created?: boolean;
}

/** The row's untagged key of before `correlation.legacy_before`, and which of its tickets are trusted. */
export interface LegacyKey {
  correlationId: string;
  adoptable(createdAt: string | undefined): boolean;
}

/** One applyRowEvent call: the row's event and the target it writes to. */
export interface RowCall {
  input: ApplyRowEventInput;
  target: TicketTarget;
  mapper: EventMapper;
  ctx: CallContext;
  /** Absent without `correlation.legacy_before`: only the signed key is the row's. */
  legacy?: LegacyKey;
  /** The row's column holding its ticket's id (`inbound.ticket_column`, written back as `{{ ticket.id }}`). */
  ticketColumn?: string;
}

/** Carried to the next attempt in the heartbeat details: a ticket this call created is not created again. */
interface RowAttemptMemo {
  created?: TicketSummary;
}

/** Only the fields whose rendered value differs from the previous row's (all of them without one). */
async function changedFields(call: RowCall): Promise<TicketFields> {
  const { mapper, input } = call;
  const now = await mapper.fields(input.event, 'updateFields');
  if (!input.previousRow) return now;
  const previous: HasuraEvent = { ...input.event, op: 'UPDATE', data: { old: null, new: input.previousRow } };
  const before = await mapper.fields(previous, 'updateFields');
  return Object.fromEntries(Object.entries(now).filter(([field, value]) => before[field] !== value));
}

async function workNote(call: RowCall): Promise<string> {
  const { event, previousRow } = call.input;
  const latest: Row | null = event.data.new ?? event.data.old;
  const changes =
    previousRow && latest
      ? rowChanges({ ...event, op: 'UPDATE', data: { old: previousRow, new: latest } })
      : rowChanges(event);
  return changes.length ? call.mapper.workNote(event, { changes }) : '';
}

/** The ticket id the row's own ticket column holds in its latest image; none when the column is empty or absent. */
function namedByRow(call: RowCall): string | undefined {
  const { ticketColumn } = call;
  const { event, previousRow } = call.input;
  const value = ticketColumn && (event.data.new ?? event.data.old ?? previousRow)?.[ticketColumn];
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

/**
 * Among the tickets of the row's key, the row's. A key is readable on its ticket, so anyone who may read it can copy
 * it onto an incident of their own (review R4), always younger than the original: where the row's ticket column
 * names a ticket (the write-back put it there), that one is the row's, open or closed; when the search does not
 * show it (deleted, hidden by an ACL, its key edited in ServiceNow) the oldest found is, never a newer open one — a
 * copy never wins while its original shows, and an earlier attempt's create whose answer was lost (the search
 * found nothing before it) is the oldest. A row that names none (a new row, one ticketed before its column was
 * written) takes the oldest open ticket, else the oldest (`create-new` leaves the closed ones behind) — never a
 * cancelled duplicate, which is always younger than the ticket it points at.
 */
function rowsOwn(call: RowCall, found: TicketRef[]): TicketRef | undefined {
  const named = namedByRow(call);
  if (named === undefined) return found.find((ref) => !ref.closed) ?? found[0];
  return found.find((ref) => sameSysId(ref.id, named)) ?? found[0];
}

/** The row's ticket: the one the workflow knows, read by id (a search may not see it yet), or else the key's. */
async function currentTicket(call: RowCall): Promise<TicketRef | undefined> {
  const { target, input, ctx } = call;
  const known = (Context.current().info.heartbeatDetails as RowAttemptMemo | undefined)?.created ?? input.ticket;
  if (known && target.get) return target.get(known, ctx);
  const found = await searched(call);
  if (known) return found.find((ref) => ref.id === known.id) ?? known;
  return rowsOwn(call, found);
}

/**
 * The tickets of the row's signed key (every create of this row used it, so a retry finds them all); else,
 * after an upgrade, those of its untagged key created before the tag, never one given that key since (R4).
 */
async function searched(call: RowCall): Promise<TicketRef[]> {
  const { target, input, ctx, legacy } = call;
  const found = await target.findByCorrelation(input.correlationId, ctx);
  if (found.length > 0 || !legacy) return found;
  const old = await target.findByCorrelation(legacy.correlationId, ctx);
  return old.filter((ref) => legacy.adoptable(ref.createdAt));
}

async function create(call: RowCall, fields: TicketFields): Promise<TicketRef> {
  const ticket = await call.target.create({ correlationId: call.input.correlationId, fields }, call.ctx);
  // Recorded at once: if this attempt fails later, the next one continues with this ticket.
  Context.current().heartbeat({
    created: { id: ticket.id, number: ticket.number, url: ticket.url },
  } satisfies RowAttemptMemo);
  return ticket;
}

/** DELETE: resolve. One that overtook its INSERT still leaves the row's ticket, resolved: the same end state. */
async function resolveRow(call: RowCall, existing: TicketRef | undefined): Promise<RowTicketChange> {
  const { input, mapper } = call;
  if (existing?.closed) return { action: 'skipped', ticket: existing, note: 'ticket already closed' };
  const ticket = existing ?? (await create(call, await mapper.fields(input.event, 'fields')));
  const changes = existing ? await changedFields(call) : {};
  const fields = { ...changes, ...(await mapper.fields(input.event, 'resolveFields')), ...input.overrides };
  return { action: 'resolved', ticket: await call.target.resolve(ticket, fields, call.ctx), created: !existing };
}

async function createFor(call: RowCall): Promise<RowTicketChange> {
  const fields = { ...(await call.mapper.fields(call.input.event, 'fields')), ...call.input.overrides };
  return { action: 'created', ticket: await create(call, fields), created: true };
}

/** A closed ticket follows `on_closed`, never a silent edit. */
async function followClosed(call: RowCall, closed: TicketRef, fields: TicketFields): Promise<RowTicketChange> {
  const { onClosed } = call.input.rules;
  if (onClosed === 'ignore') return { action: 'skipped', ticket: closed, note: `ticket ${closed.number} is closed` };
  if (onClosed === 'create-new') return createFor(call);
  const { target } = call;
  if (!target.reopen)
    throw new TicketConflictError(
      `${target.kind} cannot reopen ${closed.number}; set lifecycle.on_closed to create-new or ignore`,
    );
  return { action: 'reopened', ticket: await target.reopen(closed, fields, call.ctx) };
}

/** INSERT, UPDATE, MANUAL: create, or update the changed fields with a work note of what changed. */
async function followRow(call: RowCall, existing: TicketRef | undefined): Promise<RowTicketChange> {
  if (!existing) return createFor(call);
  const note = await workNote(call);
  const fields: TicketFields = {
    ...(await changedFields(call)),
    ...call.input.overrides,
    ...(note && { work_notes: note }),
  };
  if (existing.closed) return followClosed(call, existing, fields);
  if (Object.keys(fields).length === 0) return { action: 'unchanged', ticket: existing };
  return { action: 'updated', ticket: await call.target.update(existing, fields, call.ctx) };
}

/** Brings the row's ticket to what the event says. */
export async function changeRowTicket(call: RowCall): Promise<RowTicketChange> {
  const existing = await currentTicket(call);
  return call.input.event.op === 'DELETE' ? resolveRow(call, existing) : followRow(call, existing);
}
