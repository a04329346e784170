import { TicketValidationError } from '../errors';
import { TargetHttp, type HttpAnswer, type HttpCall } from '../http';
import { LookupBatcher } from '../lookup-batcher';
import type { CallContext, PooledTarget, TicketFields, TicketRef } from '../ticket-target';
import { createAuthProvider } from './auth';
import { classifyResponse, SERVICENOW } from './classify';
import { batchable, fitsOneQuery, lookMany, lookupQuery, REF_FIELDS, type LookupCalls } from './lookups';
import { DEFAULT_TABLE, type ServiceNowOptions } from './options';
import {
  asRecord,
  checkCorrelationId,
  createdThenNumber,
  limitLengths,
  listOf,
  resultOf,
  ticketRef,
  type TableRecord,
} from './records';
import { moreAfter, sweepQuery, totalOf, type SweepPage, type UpdatedSinceQuery } from './sweep-query';

export const CORRELATION_DISPLAY = 'incident-bridge';
const STATE_IN_PROGRESS = '2';
const STATE_RESOLVED = '6';
const STATE_CANCELED = '8';

type TableCall = Omit<HttpCall, 'headers'>;

/** What a change flowing back from ServiceNow reads (issue 14), beside the ticket operations. */
export interface ServiceNowRecords {
  /** The whole record, every value a string, references as sys_ids: the truth, whatever a caller said. */
  readRecord(sysId: string, ctx?: CallContext): Promise<TableRecord>;
  /** Records whose correlation_id starts with the prefix, updated at or after `since`, oldest first. */
  listUpdatedSince(query: UpdatedSinceQuery, ctx?: CallContext): Promise<SweepPage>;
}

export function createServiceNowTarget(
  options: ServiceNowOptions,
  deps: { now?: () => number; requestsPerSecond?: number } = {},
): PooledTarget & ServiceNowRecords {
  return new ServiceNowTarget(options, deps.now ?? Date.now, deps.requestsPerSecond);
}

class ServiceNowTarget implements PooledTarget, ServiceNowRecords {
  readonly kind = 'servicenow';
  private readonly table: string;
  private readonly instanceUrl: string;
  private readonly tablePath: string;
  private readonly http: TargetHttp;
  private readonly auth: ReturnType<typeof createAuthProvider>;
  /** Only under a rate limit: there a lookup waits for a turn anyway, and the ones waiting can share it. */
  private readonly lookups?: LookupBatcher;
  private readonly writeQuery: Record<string, string> = {
    sysparm_fields: REF_FIELDS,
    sysparm_exclude_reference_link: 'true',
  };

  constructor(
    private readonly options: ServiceNowOptions,
    now: () => number,
    requestsPerSecond?: number,
  ) {
    this.table = options.table ?? DEFAULT_TABLE;
    this.instanceUrl = options.instanceUrl.replace(/\/+$/, '');
    this.tablePath = `/api/now/table/${encodeURIComponent(this.table)}`;
    const { requestTimeoutMs } = options;
    const baseUrl = this.instanceUrl;
    this.http = new TargetHttp({ system: SERVICENOW, baseUrl, requestTimeoutMs, now, requestsPerSecond });
    this.auth = createAuthProvider(options.auth, this.http, now);
    if (requestsPerSecond) {
      this.lookups = new LookupBatcher(lookMany(this.lookupCalls()), { fits: fitsOneQuery, system: SERVICENOW });
    }
    if (options.inputDisplayValue) this.writeQuery.sysparm_input_display_value = 'true';
  }

  async create({ correlationId, fields }: { correlationId: string; fields: TicketFields }, ctx: CallContext = {}) {
    checkCorrelationId(correlationId);
    const body = { ...limitLengths(fields), correlation_id: correlationId, correlation_display: CORRELATION_DISPLAY };
    const call: TableCall = { operation: 'create', method: 'POST', url: this.tablePath, query: this.writeQuery, body };
    return this.toRef(asRecord(await this.callTable({ ...call, signal: ctx.signal })));
  }

  async findByCorrelation(correlationId: string, ctx: CallContext = {}) {
    checkCorrelationId(correlationId);
    if (this.lookups && batchable(correlationId)) return this.lookups.find(correlationId, ctx.signal);
    return this.findAlone(correlationId, ctx.signal);
  }

  private lookupCalls(): LookupCalls {
    return {
      query: (query) => this.sendTable({ operation: 'findByCorrelations', method: 'GET', url: this.tablePath, query }),
      alone: (correlationId, signal) => this.findAlone(correlationId, signal),
      refsOf: (records) => this.refsOf(records),
    };
  }

  private async findAlone(correlationId: string, signal?: AbortSignal): Promise<TicketRef[]> {
    const call: TableCall = { operation: 'findByCorrelation', method: 'GET', url: this.tablePath, signal };
    const result = await this.callTable({ ...call, query: lookupQuery([correlationId]) });
    return this.refsOf(listOf(result));
  }

  async get(ref: TicketRef, ctx: CallContext = {}) {
    const url = `${this.tablePath}/${encodeURIComponent(ref.id)}`;
    const query = { sysparm_fields: REF_FIELDS, sysparm_exclude_reference_link: 'true' };
    const call: TableCall = { operation: 'get', method: 'GET', url, query };
    return this.toRef(asRecord(await this.callTable({ ...call, signal: ctx.signal })));
  }

  async readRecord(sysId: string, ctx: CallContext = {}) {
    const url = `${this.tablePath}/${encodeURIComponent(sysId)}`;
    const query = { sysparm_exclude_reference_link: 'true' };
    const call: TableCall = { operation: 'readRecord', method: 'GET', url, query };
    return asRecord(await this.callTable({ ...call, signal: ctx.signal }));
  }

  async listUpdatedSince(request: UpdatedSinceQuery, ctx: CallContext = {}): Promise<SweepPage> {
    checkCorrelationId(request.correlationPrefix);
    const query = {
      sysparm_query: sweepQuery(request),
      sysparm_fields: request.fields.join(','),
      sysparm_exclude_reference_link: 'true',
      sysparm_limit: String(request.limit),
    };
    const call: TableCall = { operation: 'listUpdatedSince', method: 'GET', url: this.tablePath, query };
    const answer = await this.sendTable({ ...call, signal: ctx.signal });
    return Object.assign(listOf(resultOf(answer)).map(asRecord), {
      more: moreAfter(answer, request.limit),
      total: totalOf(answer),
    });
  }

  update(ref: TicketRef, fields: TicketFields, ctx: CallContext = {}) {
    return this.patch('update', ref, limitLengths(fields), ctx);
  }

  resolve(ref: TicketRef, fields: TicketFields, ctx: CallContext = {}) {
    const close_code = fields.close_code ?? this.options.resolveDefaults?.close_code;
    const close_notes = fields.close_notes ?? this.options.resolveDefaults?.close_notes;
    const closeFields = { ...(close_code && { close_code }), ...(close_notes && { close_notes }) };
    return this.patch('resolve', ref, { ...limitLengths(fields), ...closeFields, state: STATE_RESOLVED }, ctx);
  }

  /** "In Progress": what the Reopen UI action sets; ServiceNow's business rules bump reopen_count. */
  reopen(ref: TicketRef, fields: TicketFields, ctx: CallContext = {}) {
    return this.patch('reopen', ref, { ...limitLengths(fields), state: STATE_IN_PROGRESS }, ctx);
  }

  async cancelDuplicate(duplicate: TicketRef, kept: TicketRef, ctx: CallContext = {}) {
    if (duplicate.id === kept.id) {
      throw new TicketValidationError(`refusing to cancel ${kept.number}: it is the incident being kept`);
    }
    const work_notes = `Cancelled by incident-bridge: duplicate of ${kept.number}, created by a retried request.`;
    await this.patch('cancelDuplicate', duplicate, { state: STATE_CANCELED, work_notes }, ctx);
  }

  stats() {
    return this.http.stats();
  }

  close() {
    return this.http.close();
  }

  private async callTable(call: TableCall): Promise<unknown> {
    return resultOf(await this.sendTable(call));
  }

  /** One Table API call; an OAuth 401 gets one token renewal and one retry, then it is final. */
  private async sendTable(call: TableCall): Promise<HttpAnswer> {
    const credentials = await this.auth.headers(call.signal);
    let response = await this.http.send({ ...call, headers: credentials });
    if (response.status === 401 && (await this.auth.renewAfterRejection(credentials, call.signal))) {
      response = await this.http.send({ ...call, headers: await this.auth.headers(call.signal) });
    }
    const error = classifyResponse(response);
    if (error) throw error;
    return response;
  }

  /** Oldest first, as every lookup answers. */
  private refsOf(records: unknown[]): TicketRef[] {
    return records.map((record) => this.toRef(asRecord(record))).sort(createdThenNumber);
  }

  private toRef(record: TableRecord): TicketRef {
    return ticketRef(record, (id) => `${this.instanceUrl}/nav_to.do?uri=${this.table}.do?sys_id=${id}`);
  }

  private async patch(operation: string, ref: TicketRef, body: TicketFields, ctx: CallContext): Promise<TicketRef> {
    const url = `${this.tablePath}/${encodeURIComponent(ref.id)}`;
    const query = this.writeQuery;
    const result = await this.callTable({ operation, method: 'PATCH', url, query, body, signal: ctx.signal });
    return this.toRef(asRecord(result));
  }
}
