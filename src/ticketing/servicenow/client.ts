import { CORRELATION_ID_MAX_LENGTH } from '../../contract';
import { TicketUnavailableError, TicketValidationError } from '../errors';
import { CORRELATION_MATCH_LIMIT, oldestFirst } from '../correlation-matches';
import { parseJson, TargetHttp, type HttpAnswer, type HttpCall } from '../http';
import type { CallContext, PooledTarget, TicketFields, TicketRef } from '../ticket-target';
import { truncateCodePoints } from '../truncate';
import { createAuthProvider } from './auth';
import { classifyResponse, SERVICENOW } from './classify';
import { DEFAULT_TABLE, type ServiceNowOptions } from './options';

export const CORRELATION_DISPLAY = 'incident-bridge';
export const SHORT_DESCRIPTION_MAX_LENGTH = 160;
const REF_FIELDS = 'sys_id,number,state,sys_created_on';
const STATE_IN_PROGRESS = '2';
const STATE_RESOLVED = '6';
const STATE_CANCELED = '8';
const CLOSED_STATES: ReadonlySet<string> = new Set(['6', '7', '8']);

type TableCall = Omit<HttpCall, 'headers'>;
type TableRecord = Record<string, unknown>;

export function createServiceNowTarget(options: ServiceNowOptions, deps: { now?: () => number } = {}): PooledTarget {
  const now = deps.now ?? Date.now;
  const table = options.table ?? DEFAULT_TABLE;
  const instanceUrl = options.instanceUrl.replace(/\/+$/, '');
  const { requestTimeoutMs } = options;
  const http = new TargetHttp({ system: SERVICENOW, baseUrl: instanceUrl, requestTimeoutMs, now });
  const auth = createAuthProvider(options.auth, http, now);
  const tablePath = `/api/now/table/${encodeURIComponent(table)}`;
  const writeQuery: Record<string, string> = { sysparm_fields: REF_FIELDS, sysparm_exclude_reference_link: 'true' };
  if (options.inputDisplayValue) writeQuery.sysparm_input_display_value = 'true';

  /** One Table API call; an OAuth 401 gets one token renewal and one retry, then it is final. */
  async function callTable(call: TableCall): Promise<unknown> {
    const credentials = await auth.headers(call.signal);
    let response = await http.send({ ...call, headers: credentials });
    if (response.status === 401 && (await auth.renewAfterRejection(credentials, call.signal))) {
      response = await http.send({ ...call, headers: await auth.headers(call.signal) });
    }
    const error = classifyResponse(response);
    if (error) throw error;
    return resultOf(response);
  }

  function toRef(record: TableRecord): TicketRef {
    const id = stringField(record, 'sys_id');
    const state = stringField(record, 'state');
    return {
      id,
      number: stringField(record, 'number'),
      state,
      createdAt: stringField(record, 'sys_created_on'),
      closed: CLOSED_STATES.has(state),
      url: `${instanceUrl}/nav_to.do?uri=${table}.do?sys_id=${id}`,
    };
  }

  async function patch(operation: string, ref: TicketRef, body: TicketFields, ctx: CallContext): Promise<TicketRef> {
    const url = `${tablePath}/${encodeURIComponent(ref.id)}`;
    const result = await callTable({ operation, method: 'PATCH', url, query: writeQuery, body, signal: ctx.signal });
    return toRef(asRecord(result));
  }

  return {
    kind: 'servicenow',

    async create({ correlationId, fields }, ctx = {}) {
      checkCorrelationId(correlationId);
      const body = { ...limitLengths(fields), correlation_id: correlationId, correlation_display: CORRELATION_DISPLAY };
      const call: TableCall = { operation: 'create', method: 'POST', url: tablePath, query: writeQuery, body };
      return toRef(asRecord(await callTable({ ...call, signal: ctx.signal })));
    },

    async findByCorrelation(correlationId, ctx = {}) {
      checkCorrelationId(correlationId);
      const query = {
        sysparm_query: `correlation_id=${correlationId}^ORDERBYsys_created_on`,
        sysparm_fields: REF_FIELDS,
        sysparm_exclude_reference_link: 'true',
        sysparm_limit: CORRELATION_MATCH_LIMIT,
      };
      const call: TableCall = { operation: 'findByCorrelation', method: 'GET', url: tablePath, query };
      const result = await callTable({ ...call, signal: ctx.signal });
      if (!Array.isArray(result)) throw new TicketUnavailableError('ServiceNow query answer is not a list');
      return result.map((record) => toRef(asRecord(record))).sort(createdThenNumber);
    },

    async get(ref, ctx = {}) {
      const url = `${tablePath}/${encodeURIComponent(ref.id)}`;
      const query = { sysparm_fields: REF_FIELDS, sysparm_exclude_reference_link: 'true' };
      return toRef(asRecord(await callTable({ operation: 'get', method: 'GET', url, query, signal: ctx.signal })));
    },

    update: (ref, fields, ctx = {}) => patch('update', ref, limitLengths(fields), ctx),

    resolve(ref, fields, ctx = {}) {
      const close_code = fields.close_code ?? options.resolveDefaults?.close_code;
      const close_notes = fields.close_notes ?? options.resolveDefaults?.close_notes;
      const closeFields = { ...(close_code && { close_code }), ...(close_notes && { close_notes }) };
      return patch('resolve', ref, { ...limitLengths(fields), ...closeFields, state: STATE_RESOLVED }, ctx);
    },

    // "In Progress": what the Reopen UI action sets; ServiceNow's business rules bump reopen_count.
    reopen: (ref, fields, ctx = {}) => patch('reopen', ref, { ...limitLengths(fields), state: STATE_IN_PROGRESS }, ctx),

    async cancelDuplicate(duplicate, kept, ctx = {}) {
      if (duplicate.id === kept.id) {
        throw new TicketValidationError(`refusing to cancel ${kept.number}: it is the incident being kept`);
      }
      const work_notes = `Cancelled by incident-bridge: duplicate of ${kept.number}, created by a retried request.`;
      await patch('cancelDuplicate', duplicate, { state: STATE_CANCELED, work_notes }, ctx);
    },

    stats: () => http.stats(),
    close: () => http.close(),
  };
}

function resultOf(response: HttpAnswer): unknown {
  return (parseJson(response, SERVICENOW) as { result?: unknown } | null)?.result;
}

function asRecord(result: unknown): TableRecord {
  if (result && typeof result === 'object' && !Array.isArray(result)) return result as TableRecord;
  throw new TicketUnavailableError('ServiceNow answer carries no record');
}

function stringField(record: TableRecord, name: string): string {
  const value = record[name];
  if (typeof value === 'string') return value;
  throw new TicketUnavailableError(`ServiceNow record lacks the ${name} field`);
}

/** sys_created_on has one-second resolution: the number breaks ties between same-second duplicates. */
const createdThenNumber = oldestFirst((a, b) => a.number.localeCompare(b.number));

/** '^' separates encoded-query terms, so a key containing it would query for something else. */
function checkCorrelationId(correlationId: string): void {
  if (!correlationId || correlationId.length > CORRELATION_ID_MAX_LENGTH || correlationId.includes('^')) {
    const limit = `1-${CORRELATION_ID_MAX_LENGTH} characters without '^'`;
    throw new TicketValidationError(`correlation id must be ${limit} (got ${correlationId.length} characters)`);
  }
}

/** The platform does not enforce short_description's 160 characters; the database column may cut or refuse. */
function limitLengths(fields: TicketFields): TicketFields {
  const shortDescription = fields.short_description;
  if (shortDescription === undefined) return fields;
  return { ...fields, short_description: truncateCodePoints(shortDescription, SHORT_DESCRIPTION_MAX_LENGTH) };
}
