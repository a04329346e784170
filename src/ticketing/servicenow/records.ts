import { CORRELATION_ID_MAX_LENGTH } from '../../contract';
import { TicketUnavailableError, TicketValidationError } from '../errors';
import { oldestFirst } from '../correlation-matches';
import { parseJson, type HttpAnswer } from '../http';
import type { TicketFields, TicketRef } from '../ticket-target';
import { truncateCodePoints } from '../truncate';
import { SERVICENOW } from './classify';

export const SHORT_DESCRIPTION_MAX_LENGTH = 160;

export type TableRecord = Record<string, unknown>;

export function resultOf(response: HttpAnswer): unknown {
  return (parseJson(response, SERVICENOW) as { result?: unknown } | null)?.result;
}

export function listOf(result: unknown): unknown[] {
  if (Array.isArray(result)) return result;
  throw new TicketUnavailableError('ServiceNow query answer is not a list');
}

export function asRecord(result: unknown): TableRecord {
  if (result && typeof result === 'object' && !Array.isArray(result)) return result as TableRecord;
  throw new TicketUnavailableError('ServiceNow answer carries no record');
}

export function stringField(record: TableRecord, name: string): string {
  const value = record[name];
  if (typeof value === 'string') return value;
  throw new TicketUnavailableError(`ServiceNow record lacks the ${name} field`);
}

const CLOSED_STATES: ReadonlySet<string> = new Set(['6', '7', '8']);

/** A record read with REF_FIELDS as the target's reference; `link` gives the record's page. */
export function ticketRef(record: TableRecord, link: (sysId: string) => string): TicketRef {
  const id = stringField(record, 'sys_id');
  const state = stringField(record, 'state');
  const [number, createdAt] = [stringField(record, 'number'), stringField(record, 'sys_created_on')];
  return { id, number, state, createdAt, closed: CLOSED_STATES.has(state), url: link(id) };
}

/** sys_created_on has one-second resolution: the number breaks ties between same-second duplicates. */
export const createdThenNumber = oldestFirst((a, b) => a.number.localeCompare(b.number));

/** '^' separates encoded-query terms, so a key containing it would query for something else. */
export function checkCorrelationId(correlationId: string): void {
  if (!correlationId || correlationId.length > CORRELATION_ID_MAX_LENGTH || correlationId.includes('^')) {
    const limit = `1-${CORRELATION_ID_MAX_LENGTH} characters without '^'`;
    throw new TicketValidationError(`correlation id must be ${limit} (got ${correlationId.length} characters)`);
  }
}

/** The platform does not enforce short_description's 160 characters; the database column may cut or refuse. */
export function limitLengths(fields: TicketFields): TicketFields {
  const shortDescription = fields.short_description;
  if (shortDescription === undefined) return fields;
  return { ...fields, short_description: truncateCodePoints(shortDescription, SHORT_DESCRIPTION_MAX_LENGTH) };
}
