import { randomUUID } from 'node:crypto';
import { createActivities } from '../../src/activities';
import { createLogger, type Logger } from '../../src/logging';
import { createEventMapper, DEFAULT_MAPPING } from '../../src/mapping/mapper';
import type { Notifier } from '../../src/notify';
import { TicketNotFoundError, TicketUnavailableError } from '../../src/ticketing/errors';
import type { CallContext, TicketFields, TicketRef, TicketTarget } from '../../src/ticketing/ticket-target';
import { resolvePolicy, type EventPolicy } from '../../src/contract';

interface FakeTicket extends TicketRef {
  correlationId: string;
  fields: TicketFields;
}

/**
 * A create the target accepts and stores, but whose caller gets `answer` instead of the ticket: an error
 * (a timeout, a 504) or `'hang'` (no answer until the call is aborted). Like a slow transaction on a real
 * instance, the ticket is stamped (created time, number) when the request arrives but stays invisible to
 * every find until it commits: right after the first call at which `commitWhen(calls)` holds (default: at once).
 */
export interface AcceptedCreate {
  answer: Error | 'hang';
  commitWhen?: (calls: readonly string[]) => boolean;
  /**
   * Held on the way (a stalled worker, a slow token request before the POST) until right after the first call
   * at which this holds; aborted before then, the request never reaches the target and nothing is stored.
   */
  sentWhen?: (calls: readonly string[]) => boolean;
  /** Held on the way this long (sent earlier if `sentWhen` holds first). */
  sendAfterMs?: number;
  /** Once it arrives, the transaction takes this long to commit (instead of `commitWhen`). */
  commitAfterMs?: number;
}

/** For `commitWhen`: once the `count`-th call of that kind has been answered. */
export const afterCall =
  (kind: string, count: number) =>
  (calls: readonly string[]): boolean =>
    calls.filter((call) => call === kind).length >= count;

/** A timed-out request: no status, so the write may have happened. */
export const timedOut = () =>
  new TicketUnavailableError('ServiceNow request timed out', { cause: new DOMException('timeout', 'TimeoutError') });

/** Oldest first by when the request arrived (its stamp), as a real instance orders by creation time. */
const oldestFirst = (a: FakeTicket, b: FakeTicket) => a.number.localeCompare(b.number);

/** An in-memory TicketTarget with scripted failures and slow commits, for workflow tests that need no HTTP. */
export class FakeTarget implements TicketTarget {
  readonly kind = 'fake';
  /** Committed tickets, visible to finds. */
  readonly tickets: FakeTicket[] = [];
  readonly calls: string[] = [];
  /** What the next create calls do instead of succeeding, in order: refused (an Error) or accepted late. */
  createFailures: (Error | AcceptedCreate)[] = [];
  /**
   * The next this-many creates fail as a timed-out POST that the server still commits: their ticket
   * becomes visible `lateCommitMs` later.
   */
  lostAnswers = 0;
  lateCommitMs = 0;
  /** Tickets younger than this are not found by findByCorrelation yet, as Jira's search lags its writes. */
  searchLagMs = 0;
  /** Errors thrown by the next update calls, in order. */
  updateFailures: Error[] = [];
  /** Answers of the next finds, in order: an error fails that find, `undefined` answers it normally. */
  findFailures: (Error | undefined)[] = [];
  private readonly uncommitted: { ticket: FakeTicket; commitWhen: (calls: readonly string[]) => boolean }[] = [];
  private readonly held: { sentWhen: (calls: readonly string[]) => boolean; send: () => void }[] = [];
  private stamped = 0;

  async create(input: { correlationId: string; fields: TicketFields }, ctx: CallContext = {}): Promise<TicketRef> {
    this.calls.push('create');
    const failure = this.createFailures.shift();
    if (failure instanceof Error) return this.answered(Promise.reject(failure));
    if (!failure?.sentWhen && failure?.sendAfterMs === undefined)
      return this.answered(this.arrive(input, failure, ctx));
    const { sentWhen = () => false, sendAfterMs } = failure;
    const held = new Promise<TicketRef>((resolve, reject) => {
      const request = { sentWhen, send: () => resolve(this.arrive(input, failure, ctx)) };
      this.held.push(request);
      if (sendAfterMs !== undefined) setTimeout(() => this.release(request), sendAfterMs);
      ctx.signal?.addEventListener(
        'abort',
        () => {
          if (!this.held.includes(request)) return;
          this.held.splice(this.held.indexOf(request), 1);
          reject(new TicketUnavailableError('request aborted before it was sent', { cause: ctx.signal?.reason }));
        },
        { once: true },
      );
    });
    return this.answered(held);
  }

  /** The request reaches the target: stamped now, committed at once or when its script says, answered as scripted. */
  private arrive(
    input: { correlationId: string; fields: TicketFields },
    failure: AcceptedCreate | undefined,
    ctx: CallContext,
  ): Promise<TicketRef> {
    const ticket: FakeTicket = {
      id: randomUUID(),
      number: `FAKE${String(++this.stamped).padStart(4, '0')}`,
      correlationId: input.correlationId,
      fields: input.fields,
      createdAt: new Date().toISOString(),
    };
    if (!failure && this.lostAnswers > 0) {
      this.lostAnswers -= 1;
      this.commit({ ...ticket, createdAt: new Date(Date.now() + this.lateCommitMs).toISOString() });
      return Promise.reject(
        new TicketUnavailableError('504 Gateway Timeout (the server commits later)', { status: 504 }),
      );
    }
    if (!failure) return Promise.resolve(this.commit(ticket));
    const { commitAfterMs } = failure;
    const pending = {
      ticket,
      commitWhen: commitAfterMs === undefined ? (failure.commitWhen ?? (() => true)) : () => false,
    };
    this.uncommitted.push(pending);
    if (commitAfterMs !== undefined) setTimeout(() => this.commitPending(pending), commitAfterMs);
    if (failure.answer !== 'hang') return Promise.reject(failure.answer);
    return new Promise((_resolve, reject) => {
      const abort = () => reject(new TicketUnavailableError('request aborted', { cause: ctx.signal?.reason }));
      if (ctx.signal?.aborted) abort();
      ctx.signal?.addEventListener('abort', abort, { once: true });
    });
  }

  async findByCorrelation(correlationId: string): Promise<TicketRef[]> {
    this.calls.push('find');
    const failure = this.findFailures.shift();
    if (failure) return Promise.reject(failure);
    // Copies, as a real target's answer: what a caller holds does not change with the store.
    const visibleBefore = Date.now() - this.searchLagMs;
    const found = this.tickets
      .filter((t) => t.correlationId === correlationId && Date.parse(t.createdAt!) <= visibleBefore)
      .map((t) => ({ ...t }));
    return this.answered(Promise.resolve(found));
  }

  /** A ticket stored by an earlier run (one that has left retention, say), not by a call of this test. */
  seed(correlationId: string, fields: TicketFields = {}): TicketRef {
    const number = `FAKE${String(++this.stamped).padStart(4, '0')}`;
    return this.commit({ id: randomUUID(), number, correlationId, fields, createdAt: new Date().toISOString() });
  }

  private commit(ticket: FakeTicket): FakeTicket {
    this.tickets.push(ticket);
    this.tickets.sort(oldestFirst);
    return ticket;
  }

  /** The answer is fixed first (a find sees what was committed before it), then held creates arrive, then slow ones may commit. */
  private answered<T>(answer: Promise<T>): Promise<T> {
    for (const request of [...this.held]) if (request.sentWhen(this.calls)) this.release(request);
    for (const pending of [...this.uncommitted]) if (pending.commitWhen(this.calls)) this.commitPending(pending);
    return answer;
  }

  private release(request: FakeTarget['held'][number]): void {
    if (!this.held.includes(request)) return;
    this.held.splice(this.held.indexOf(request), 1);
    request.send();
  }

  private commitPending(pending: FakeTarget['uncommitted'][number]): void {
    if (!this.uncommitted.includes(pending)) return;
    this.uncommitted.splice(this.uncommitted.indexOf(pending), 1);
    this.commit(pending.ticket);
  }

  async get(ref: TicketRef): Promise<TicketRef> {
    this.calls.push('get');
    const ticket = this.tickets.find((t) => t.id === ref.id);
    if (!ticket) throw new TicketNotFoundError(`no ticket ${ref.number}`, { status: 404 });
    return ticket;
  }

  async update(ref: TicketRef, fields: TicketFields): Promise<TicketRef> {
    this.calls.push('update');
    const failure = this.updateFailures.shift();
    if (failure) throw failure;
    const ticket = this.tickets.find((t) => t.id === ref.id)!;
    Object.assign(ticket.fields, fields);
    return ticket;
  }

  async resolve(ref: TicketRef, fields: TicketFields): Promise<TicketRef> {
    this.calls.push('resolve');
    const ticket = this.tickets.find((t) => t.id === ref.id)!;
    Object.assign(ticket.fields, fields, { state: 'resolved' });
    ticket.closed = true;
    return ticket;
  }

  async reopen(ref: TicketRef, fields: TicketFields): Promise<TicketRef> {
    this.calls.push('reopen');
    const ticket = this.tickets.find((t) => t.id === ref.id)!;
    Object.assign(ticket.fields, fields, { state: 'open' });
    ticket.closed = false;
    return ticket;
  }

  async cancelDuplicate(duplicate: TicketRef): Promise<void> {
    this.calls.push('cancel');
    const ticket = this.tickets.find((t) => t.id === duplicate.id)!;
    ticket.closed = true;
    ticket.fields.state = 'cancelled';
  }
}

/** Short retries so a test sees transient failures retried and permanent ones park within seconds. */
export const FAST_TEST_POLICY: Partial<EventPolicy> = {
  ticketRetry: { initialIntervalMs: 100, backoffCoefficient: 1, maximumIntervalMs: 200, maximumAttempts: 3 },
  attemptTimeoutMs: 5_000,
  duplicateCheckDelayMs: 100,
};

export const silentNotifier: Notifier = {
  channels: () => [],
  send: async () => 'skipped',
  close: async () => undefined,
};

/**
 * The real activities around a fake target: the ServiceNow target name with the built-in mapping.
 * `policy` is the worker's (default: the built-in one); tests usually shorten it through the input.
 */
export function activitiesWithFake(
  target: FakeTarget,
  options: { notifier?: Notifier; logger?: Logger; policy?: EventPolicy } = {},
) {
  const logger = options.logger ?? createLogger({ level: 'silent' });
  return createActivities({
    targets: { servicenow: target },
    config: DEFAULT_MAPPING,
    mapper: createEventMapper(DEFAULT_MAPPING),
    notifier: options.notifier ?? silentNotifier,
    logger,
    temporal: { uiUrl: 'http://ui.test', namespace: 'default' },
    policy: options.policy ?? resolvePolicy(FAST_TEST_POLICY),
  });
}
