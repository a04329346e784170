import { createLiquid } from '../../templating/liquid';
import { ConfigError } from '../../common/config-error';
import { TicketUnavailableError, TicketValidationError } from '../errors';
import { oldestFirst } from '../correlation-matches';
import { bodySnippet, classifyStatus, parseOptionalJson, TargetHttp } from '../http';
import type { CallContext, PooledTarget, TicketFields, TicketRef } from '../ticket-target';
import type { RestOperation, RestTargetOptions } from './options';
import { textAt, valueAt } from './paths';
import { compileRestTemplates, OPERATION_KEYS, type CompiledOperation, type RestOperationName } from './templates';

/**
 * A ticketing system described entirely by configuration: per operation a method, a URL and a JSON body
 * (Liquid templates over `fields`, `correlation_id`, `ticket`, `kept`) and where the answer keeps the ticket.
 */
export function createRestTarget(
  options: RestTargetOptions,
  deps: { name?: string; requestsPerSecond?: number } = {},
): PooledTarget {
  return new RestTarget(options, deps.name ?? 'rest', deps.requestsPerSecond);
}

class RestTarget implements PooledTarget {
  readonly kind = 'rest';
  private readonly system: string;
  private readonly engine = createLiquid();
  private readonly operations: Partial<Record<RestOperationName, CompiledOperation>>;
  private readonly http: TargetHttp;

  constructor(
    private readonly options: RestTargetOptions,
    name: string,
    requestsPerSecond?: number,
  ) {
    this.system = `REST target ${name}`;
    const problems: string[] = [];
    this.operations = compileRestTemplates(this.engine, options, { path: `targets.${name}`, problems });
    if (problems.length > 0) throw new ConfigError(problems);
    const { requestTimeoutMs } = options;
    this.http = new TargetHttp({ system: this.system, requestTimeoutMs, requestsPerSecond });
  }

  async create({ correlationId, fields }: { correlationId: string; fields: TicketFields }, ctx: CallContext = {}) {
    const answer = await this.call('create', { fields, correlation_id: correlationId }, ctx);
    return { closed: false, ...definedOnly(refFrom(this.options.create, answer, this.system)) };
  }

  async findByCorrelation(correlationId: string, ctx: CallContext = {}) {
    const { find } = this.options;
    const answer = await this.call('find', { correlation_id: correlationId }, ctx);
    const results = valueAt(answer, find.resultsPath);
    if (!Array.isArray(results)) {
      throw new TicketUnavailableError(`${this.system}: find answer has no list at "${find.resultsPath}"`);
    }
    return results.map((item) => refFrom(find, item, this.system)).sort(createdThenNumber);
  }

  async update(ref: TicketRef, fields: TicketFields, ctx: CallContext = {}) {
    return this.refAfterWrite(this.options.update, await this.call('update', { fields, ticket: ref }, ctx), ref);
  }

  async resolve(ref: TicketRef, fields: TicketFields, ctx: CallContext = {}) {
    const answer = await this.call('resolve', { fields, ticket: ref }, ctx);
    return this.refAfterWrite(this.options.resolve as RestOperation, answer, { ...ref, closed: true });
  }

  async cancelDuplicate(duplicate: TicketRef, kept: TicketRef, ctx: CallContext = {}) {
    if (duplicate.id === kept.id) {
      throw new TicketValidationError(`refusing to cancel ${kept.number}: it is the ticket being kept`);
    }
    await this.call('cancelDuplicate', { ticket: duplicate, kept }, ctx);
  }

  stats() {
    return this.http.stats();
  }

  close() {
    return this.http.close();
  }

  private async render(operation: CompiledOperation, scope: object, part: 'url' | 'body'): Promise<string> {
    try {
      return await this.engine.render(operation[part] ?? [], scope);
    } catch (error) {
      const message = `${this.system}: ${part} template failed: ${(error as Error).message}`;
      throw new TicketValidationError(message, { cause: error });
    }
  }

  /** One configured call; resolves to the parsed answer (undefined when it has no body). */
  private async call(operationName: RestOperationName, scope: object, ctx: CallContext): Promise<unknown> {
    const { system } = this;
    const operation = this.operations[operationName];
    if (!operation) {
      throw new TicketValidationError(`${system}: ${OPERATION_KEYS[operationName]} is not configured for this target`);
    }
    const url = await this.render(operation, scope, 'url');
    if (!/^https?:\/\//.test(url)) {
      throw new TicketValidationError(`${system}: ${operationName} url is not an http(s) URL: ${bodySnippet(url)}`);
    }
    const body = operation.body
      ? checkedJson(await this.render(operation, scope, 'body'), `${system}: ${operationName} body`)
      : undefined;
    const headers = revealHeaders({ ...this.options.headers, ...operation.spec.headers });
    const { method } = operation.spec;
    const answer = await this.http.send({ operation: operationName, method, url, headers, body, signal: ctx.signal });
    if (!operation.spec.successStatuses.includes(answer.status)) {
      throw classifyStatus(answer, { system, message: bodySnippet(answer.bodyText) });
    }
    return parseOptionalJson(answer, system);
  }

  /** The ticket an update/resolve answer describes, or the one we sent when the answer does not say. */
  private refAfterWrite(spec: RestOperation, answer: unknown, before: TicketRef): TicketRef {
    if (answer === undefined || textAt(answer, spec.idPath) === undefined) return before;
    const answered = refFrom(spec, answer, this.system);
    // Without a number_path the answer's "number" is only the id fallback: keep the known one.
    return { ...before, ...definedOnly({ ...answered, number: spec.numberPath ? answered.number : before.number }) };
  }
}

function refFrom(spec: RestOperation, data: unknown, system: string): TicketRef {
  const id = textAt(data, spec.idPath);
  if (id === undefined) throw new TicketUnavailableError(`${system}: answer has no ticket id at "${spec.idPath}"`);
  const closed = textAt(data, spec.closedPath);
  return {
    id,
    number: textAt(data, spec.numberPath) ?? id,
    state: textAt(data, spec.statePath),
    createdAt: textAt(data, spec.createdPath),
    closed: closed === undefined ? undefined : closed === 'true',
    url: textAt(data, spec.urlPath),
  };
}

function definedOnly(ref: TicketRef): TicketRef {
  return Object.fromEntries(Object.entries(ref).filter(([, value]) => value !== undefined)) as unknown as TicketRef;
}

function checkedJson(text: string, what: string): string {
  try {
    JSON.parse(text);
    return text;
  } catch (error) {
    throw new TicketValidationError(`${what} is not JSON (${(error as Error).message}): ${bodySnippet(text)}`);
  }
}

function revealHeaders(headers: RestTargetOptions['headers']): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, typeof value === 'string' ? value : value.reveal()]),
  );
}

/** Ticket numbers are compared as numbers where they hold digits: TICKET-9 before TICKET-10. */
const createdThenNumber = oldestFirst((a, b) => a.number.localeCompare(b.number, undefined, { numeric: true }));
