import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
import { sha256Hex } from '../common/sha256';
import { sameSysId } from '../common/sys-id';
import { ROW_STATE_MEMO, rowWorkflowIdFor, statusQuery } from '../contract';
import type { EventStatus, InboundRowWrite, ReadChangeOptions, RowOutcome, RowState, TicketSummary } from '../contract';
import { HasuraTable, HasuraTrigger } from '../contract/search-attributes';
import { rowKeyOf } from '../mapping/row-key';
import type { RowWriter } from '../source/row-writer';

/*
 * Issue 14 review H1. A record's correlation_id names a row, but any ServiceNow user who may edit the
 * incident can change it: it is a claim, never a permission. A change is written only to a row the
 * bridge ticketed for this very record, in the table the trigger writes (README "ServiceNow back to the row"):
 * - the row's workflow (the bridge's own record in Temporal) must hold this row under this trigger and
 *   table, with this record as its ticket;
 * - without one (past Temporal's retention), only a trigger with writeback.table writes, and only when the
 *   row's ticket column holds this record's sys_id;
 * - the write itself is conditional on the ticket column (atomic, whatever happens): the row workflow learns
 *   of its row's DELETE and INSERT only from Hasura's events, later (review 14 R2).
 */

/** What an inbound trigger knows about where its rows are. */
export interface RowTrust {
  name: string;
  rowKey: string[];
  /** The trigger's writeback.table: where its rows' ticket columns, and so its inbound columns, live. */
  writebackTable?: InboundRowWrite['table'];
  /** inbound.ticket_column: the row's column holding its ticket's sys_id. */
  ticketColumn: string;
}

export type RowClaim = Pick<InboundRowWrite, 'table' | 'key'>;

export type RowCheck =
  | { kind: 'write'; table: InboundRowWrite['table']; onlyIf: Record<string, string> }
  | { kind: 'ignore'; reason: string }
  | { kind: 'wait'; reason: string };

interface RowRecord {
  trigger?: string;
  table?: string;
  ticket?: TicketSummary;
  /** The run is open: a ticket it does not hold yet (its create's answer is still coming) it may hold soon. */
  open: boolean;
  /** The open run is applying an event (or parked on one): a create it sent may answer with another ticket. */
  applying: boolean;
  /** The open run has written nothing back yet: the ticket it holds may not be in the row's ticket column yet. */
  writeBackDue?: boolean;
}

/**
 * Row workflow states in which a ticket call is under way or parked (a create with on_closed: create-new too).
 * Parked waits as well (review 14 (5)): a create whose answer was lost before its retries ran out made a ticket
 * the row does not hold yet, and the operator's retry finds it by the row's key. Another ticket's change then
 * fails at PARK_TIMEOUT and notifies, about a row the operators are asked about already.
 */
const APPLYING_STATES: ReadonlySet<string> = new Set(['applying', 'creating', 'waiting-for-operator']);

/**

 * The row workflow cannot answer yet: it holds no ticket, another one while it applies an event (on_closed:
 * create-new makes the new ticket there), or it has not written its ticket back into the row yet. Retryable for a
 * caller from before the wait (src/activities/failures.ts treats every unclassified error so, review 14 R1);
 * permanent once the change workflow's wait is over.
 */
export class RowTicketNotYetKnownError extends Error {
  override name = 'RowTicketNotYetKnownError';
}

const nameOf = (table: InboundRowWrite['table']) => `${table.schema}.${table.name}`;
const keyText = (key: Record<string, string>) =>
  Object.entries(key)
    .map(([column, value]) => `${column}=${value}`)
    .join(', ');

type HeldTicket = Partial<Pick<EventStatus, 'ticket' | 'state'>> & { writeBackDue?: boolean };

/**
 * The ticket a row workflow holds (and, open, what it is doing): the open run's status, a finished run's result. A run that ended otherwise
 * (terminated, failed, timed out) is asked too: a query replays its history, which has the ticket it learned
 * even when the memo of its start has none (review 14 R5); the memo is the answer only if that query fails.
 */
async function ticketOf(client: Client, description: WorkflowExecutionDescription): Promise<HeldTicket> {
  const handle = client.workflow.getHandle(description.workflowId, description.runId);
  if (description.status.name === 'RUNNING') {
    const status = await handle.query(statusQuery);
    return { ticket: status.ticket, state: status.state, writeBackDue: !status.writeBack };
  }
  if (description.status.name === 'COMPLETED') return { ticket: ((await handle.result()) as RowOutcome).ticket };
  const left = (description.memo?.[ROW_STATE_MEMO] as RowState | undefined)?.ticket;
  return { ticket: (await handle.query(statusQuery).catch(() => undefined))?.ticket ?? left };
}

async function rowRecord(client: Client, workflowId: string): Promise<RowRecord | undefined> {
  let description: WorkflowExecutionDescription;
  try {
    description = await client.workflow.getHandle(workflowId).describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
  // Set by the bridge when it started the run, from Hasura's authenticated event: not from ServiceNow.
  const attributes = description.typedSearchAttributes;
  const { ticket, state, writeBackDue } = await ticketOf(client, description);
  const open = description.status.name === 'RUNNING';
  const applying = open && state !== undefined && APPLYING_STATES.has(state);
  const [trigger, table] = [attributes.get(HasuraTrigger), attributes.get(HasuraTable)];
  return { trigger, table, ticket, open, applying, writeBackDue };
}

/** The row workflow's word on the claim: undefined when it confirms it, else why not. */
function mismatch(record: RowRecord, trigger: RowTrust, claim: RowClaim, ticket: TicketSummary) {
  const claimed = nameOf(claim.table);
  if (record.trigger !== trigger.name || record.table !== claimed) {
    return `the correlation_id names ${claimed} (${keyText(claim.key)}), but the bridge ticketed that key for ${record.table}`;
  }
  if (record.ticket?.id === ticket.id) return undefined;
  // A record without a ticket is an open run (./checkRow keeps no other), which notYet has answered.
  return `row ${claimed} (${keyText(claim.key)}) is the bridge's row of ticket ${record.ticket?.number}, not ${ticket.number}`;
}

/** Why the row workflow cannot answer yet (review 14 (6), (7)); undefined when it can. */
function notYet(record: RowRecord, claim: RowClaim, ticket: TicketSummary): string | undefined {
  if (!record.open || record.ticket?.id === ticket.id) return undefined;
  const row = `row ${nameOf(claim.table)} (${keyText(claim.key)})`;
  if (!record.ticket) return `${row}: its workflow holds no ticket yet (its create may still answer)`;
  if (!record.applying) return undefined;
  return `${row}: its workflow holds ${record.ticket.number} while it applies an event (a create of ${ticket.number} may still answer)`;
}

/** A row workflow that cannot answer yet, as the caller asked: wait, fail for good, or (absent) retry. */
function notReady(why: string, rowNotReady: ReadChangeOptions['rowNotReady']): RowCheck {
  if (rowNotReady === 'wait') return { kind: 'wait', reason: why };
  const error = new RowTicketNotYetKnownError(why);
  if (rowNotReady === 'fail') throw ApplicationFailure.nonRetryable(why, error.name);
  throw error;
}

/** Whether, and where, a change of `ticket` may be written to the row its correlation_id claims. */
export async function checkRow(
  deps: { client?: Client; writer: RowWriter },
  trigger: RowTrust,
  claim: RowClaim,
  ticket: TicketSummary,
  rowNotReady?: ReadChangeOptions['rowNotReady'],
): Promise<RowCheck> {
  const ignore = (why: string): RowCheck => ({ kind: 'ignore', reason: `${why}: not written` });
  const claimed = nameOf(claim.table);
  const workflowId = rowWorkflowIdFor(trigger.name, claimed, rowKeyOf(claim.key, trigger.rowKey), sha256Hex);
  const found = deps.client && (await rowRecord(deps.client, workflowId));
  // A run that ended without a ticket it can tell cannot say whose row it is: the ticket column decides.
  const record = found && (found.ticket || found.open) ? found : undefined;
  const { writebackTable, ticketColumn } = trigger;
  if (record) {
    const wait = notYet(record, claim, ticket);
    if (wait) return notReady(wait, rowNotReady);
    const why = mismatch(record, trigger, claim, ticket);
    if (why) return ignore(why);
  } else if (!writebackTable) {
    const bind = 'the trigger has no writeback.table to bind it by';
    return ignore(`cannot confirm row ${claimed} (${keyText(claim.key)}): no row workflow holds it, and ${bind}`);
  }
  // The row workflow learns of its row's DELETE and INSERT later (Hasura's events): a row inserted again with
  // the key still has the old ticket in its workflow. Only the row's own ticket column tells (review 14 R2).
  const table = writebackTable ?? claim.table;
  const where = `row ${nameOf(table)} (${keyText(claim.key)})`;
  const row = await deps.writer.read({ table, key: claim.key, columns: [ticketColumn] });
  const held = row?.[ticketColumn];
  // Read as text: a uuid column holds the 32-hex sys_id with dashes, a hand-edited text column another spelling.
  // The write is conditional on the value as read, so its `=` holds exactly when this check did.
  if (held && sameSysId(held, ticket.id)) return { kind: 'write', table, onlyIf: { [ticketColumn]: held } };
  if (row && record?.writeBackDue) {
    return notReady(`${where}: its workflow has not written ${ticket.number} back into it yet`, rowNotReady);
  }
  const holds = row ? `holds ${held ?? 'NULL'} in ${ticketColumn}` : 'does not exist';
  return ignore(`${where} ${holds}, not ${ticket.number} (${ticket.id})`);
}
