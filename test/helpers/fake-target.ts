import { randomUUID } from 'node:crypto';
import { createActivities } from '../../src/activities';
import { createLogger, type Logger } from '../../src/logging';
import { createEventMapper, DEFAULT_MAPPING } from '../../src/mapping/mapper';
import type { Notifier } from '../../src/notify';
import type { TicketFields, TicketRef, TicketTarget } from '../../src/ticketing/ticket-target';
import { resolvePolicy, type EventPolicy } from '../../src/contract';
import { TicketNotFoundError, TicketUnavailableError } from '../../src/ticketing/errors';

interface FakeTicket extends TicketRef {
  correlationId: string;
  fields: TicketFields;
}

/** An in-memory TicketTarget with scripted failures, for workflow tests that need no HTTP. */
export class FakeTarget implements TicketTarget {
  readonly kind = 'fake';
  readonly tickets: FakeTicket[] = [];
  readonly calls: string[] = [];
  /** Errors thrown by the next create calls, in order. */
  createFailures: Error[] = [];
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

  async create(input: { correlationId: string; fields: TicketFields }): Promise<TicketRef> {
    this.calls.push('create');
    const failure = this.createFailures.shift();
    if (failure) throw failure;
    const lost = this.lostAnswers > 0;
    const ticket: FakeTicket = {
      id: randomUUID(),
      number: `FAKE${String(this.tickets.length + 1).padStart(4, '0')}`,
      correlationId: input.correlationId,
      fields: { ...input.fields },
      createdAt: new Date(Date.now() + (lost ? this.lateCommitMs : 0)).toISOString(),
    };
    this.tickets.push(ticket);
    if (lost) {
      this.lostAnswers -= 1;
      throw new TicketUnavailableError('504 Gateway Timeout (the server commits later)', { status: 504 });
    }
    return ticket;
  }

  async findByCorrelation(correlationId: string): Promise<TicketRef[]> {
    this.calls.push('find');
    const visibleBefore = Date.now() - this.searchLagMs;
    return this.tickets.filter((t) => t.correlationId === correlationId && Date.parse(t.createdAt!) <= visibleBefore);
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
