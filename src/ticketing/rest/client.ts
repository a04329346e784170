import { createLiquid } from '../../templating/liquid';
import { ConfigError } from '../../common/config-error';
import { TicketUnavailableError, TicketValidationError } from '../errors';
import { oldestFirst } from '../correlation-matches';
import { bodySnippet, classifyStatus, parseOptionalJson, TargetHttp } from '../http';
import type { CallContext, PooledTarget, TicketRef } from '../ticket-target';
import type { RestOperation, RestTargetOptions } from './options';
import { textAt, valueAt } from './paths';
import { compileRestTemplates, OPERATION_KEYS, type CompiledOperation, type RestOperationName } from './templates';

/**
 * A ticketing system described entirely by configuration: per operation a method, a URL and a JSON body
 * (Liquid templates over `fields`, `correlation_id`, `ticket`, `kept`) and where the answer keeps the ticket.
 */
export function createRestTarget(options: RestTargetOptions, deps: { name?: string } = {}): PooledTarget {
  const name = deps.name ?? 'rest';
  const system = `REST target ${name}`;
  const engine = createLiquid();
  const problems: string[] = [];
  const operations = compileRestTemplates(engine, options, { path: `targets.${name}`, problems });
  if (problems.length > 0) throw new ConfigError(problems);
  const http = new TargetHttp({ system, requestTimeoutMs: options.requestTimeoutMs });

  async function render(operation: CompiledOperation, scope: object, part: 'url' | 'body'): Promise<string> {
    try {
      return await engine.render(operation[part] ?? [], scope);
    } catch (error) {
      throw new TicketValidationError(`${system}: ${part} template failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /** One configured call; resolves to the parsed answer (undefined when it has no body). */
  async function call(operationName: RestOperationName, scope: object, ctx: CallContext): Promise<unknown> {
    const operation = operations[operationName];
    if (!operation)
      throw new TicketValidationError(`${system}: ${OPERATION_KEYS[operationName]} is not configured for this target`);
    const url = await render(operation, scope, 'url');
    if (!/^https?:\/\//.test(url))
      throw new TicketValidationError(`${system}: ${operationName} url is not an http(s) URL: ${bodySnippet(url)}`);
    const body = operation.body
      ? checkedJson(await render(operation, scope, 'body'), `${system}: ${operationName} body`)
      : undefined;
    const headers = revealHeaders({ ...options.headers, ...operation.spec.headers });
    const answer = await http.send({
      operation: operationName,
      method: operation.spec.method,
      url,
      headers,
      body,
      signal: ctx.signal,
    });
    if (!operation.spec.successStatuses.includes(answer.status)) {
      throw classifyStatus(answer, { system, message: bodySnippet(answer.bodyText) });
    }
    return parseOptionalJson(answer, system);
  }

  /** The ticket an update/resolve answer describes, or the one we sent when the answer does not say. */
  function refAfterWrite(spec: RestOperation, answer: unknown, before: TicketRef): TicketRef {
    if (answer === undefined || textAt(answer, spec.idPath) === undefined) return before;
    const answered = refFrom(spec, answer, system);
    // Without a number_path the answer's "number" is only the id fallback: keep the known one.
    return { ...before, ...definedOnly({ ...answered, number: spec.numberPath ? answered.number : before.number }) };
  }

  return {
    kind: 'rest',

    async create({ correlationId, fields }, ctx = {}) {
      const answer = await call('create', { fields, correlation_id: correlationId }, ctx);
      return { closed: false, ...definedOnly(refFrom(options.create, answer, system)) };
    },

    async findByCorrelation(correlationId, ctx = {}) {
      const answer = await call('find', { correlation_id: correlationId }, ctx);
      const results = valueAt(answer, options.find.resultsPath);
      if (!Array.isArray(results))
        throw new TicketUnavailableError(`${system}: find answer has no list at "${options.find.resultsPath}"`);
      return results.map((item) => refFrom(options.find, item, system)).sort(createdThenNumber);
    },

    async update(ref, fields, ctx = {}) {
      return refAfterWrite(options.update, await call('update', { fields, ticket: ref }, ctx), ref);
    },

    async resolve(ref, fields, ctx = {}) {
      const answer = await call('resolve', { fields, ticket: ref }, ctx);
      return refAfterWrite(options.resolve as RestOperation, answer, { ...ref, closed: true });
    },

    async cancelDuplicate(duplicate, kept, ctx = {}) {
      if (duplicate.id === kept.id)
        throw new TicketValidationError(`refusing to cancel ${kept.number}: it is the ticket being kept`);
      await call('cancelDuplicate', { ticket: duplicate, kept }, ctx);
    },

    stats: () => http.stats(),
    close: () => http.close(),
  };
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
