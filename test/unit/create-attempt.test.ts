import { MockActivityEnvironment } from '@temporalio/testing';
import { resolvePolicy, type CreateTicketResult, type HasuraEvent } from '../../src/contract';
import { eventCreatedAtMs, isOldEvent } from '../../src/contract/event-age';
import { ticketMayExistAfter } from '../../src/activities/failures';
import {
  TicketError,
  TicketRateLimitedError,
  TicketUnavailableError,
  TicketValidationError,
} from '../../src/ticketing/errors';
import { classifyResponse } from '../../src/ticketing/servicenow/classify';
import { activitiesWithFake, FakeTarget } from '../helpers/fake-target';

/** What one create attempt decides from its input and the memo the previous attempt left (issue 11, holes 2 and 5). */

const answer = (status: number): TicketError =>
  classifyResponse({ status, headers: { 'content-type': 'application/json' }, bodyText: '{}', now: Date.now() })!;

describe('hole 2: which failed creates may still have stored the ticket', () => {
  test.each([
    [500, true],
    [502, true],
    [504, true],
    [408, true],
    // A proxy (Envoy: "upstream connect error or disconnect/reset before headers") answers 503 after forwarding.
    [503, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [429, false],
  ])('when ServiceNow answers %i, then "may have written" is %s', (status, mayExist) => {
    expect(ticketMayExistAfter(answer(status))).toBe(mayExist);
  });

  test('when the connection was refused, then nothing was written; when the request timed out, it may have been', () => {
    const refused = new TicketUnavailableError('unreachable', {
      cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
    });
    const timedOut = new TicketUnavailableError('timed out', { cause: new DOMException('t', 'TimeoutError') });
    expect(ticketMayExistAfter(refused)).toBe(false);
    expect(ticketMayExistAfter(timedOut)).toBe(true);
    expect(ticketMayExistAfter(new Error('worker bug'))).toBe(true);
  });
});

describe('hole 5: only the memo of the immediately previous attempt counts', () => {
  const create = {
    target: 'servicenow',
    correlationId: 'tr:1',
    fields: { short_description: 'x' },
    ticketMayExist: false,
  };

  async function attempt(attemptNumber: number, heartbeatDetails: unknown) {
    const target = new FakeTarget();
    const env = new MockActivityEnvironment({ attempt: attemptNumber, heartbeatDetails });
    const memos: unknown[] = [];
    env.on('heartbeat', (details: unknown) => memos.push(details));
    const result: CreateTicketResult = await env.run(activitiesWithFake(target).createTicket, create);
    return { calls: target.calls, memos, result };
  }

  test('when the previous attempt said its write was refused, then this attempt creates directly and needs no late check', async () => {
    const { calls, memos, result } = await attempt(3, { attempt: 2, ticketMayExist: false });
    expect(calls).toEqual(['create']);
    // A successful attempt heartbeats nothing: every heartbeat that reaches the server is a billable action.
    expect(memos).toEqual([]);
    expect(result.ticketMayExist).toBe(false);
  });

  test('when the memo is from an older attempt (the previous one died before its heartbeat arrived), then this attempt looks up first', async () => {
    const { calls, result } = await attempt(3, { attempt: 1, ticketMayExist: false });
    expect(calls).toEqual(['find', 'create']);
    expect(result.ticketMayExist).toBe(true);
  });

  test('when the memo does not say whose it is (an older worker), then this attempt looks up first', async () => {
    const { calls } = await attempt(3, { ticketMayExist: false });
    expect(calls).toEqual(['find', 'create']);
  });

  test('when there is no memo at all, then a retry looks up first and a first attempt creates directly', async () => {
    expect((await attempt(2, undefined)).calls).toEqual(['find', 'create']);
    expect((await attempt(1, undefined)).calls).toEqual(['create']);
  });

  test('when a create is refused, then the attempt leaves a "not written" memo naming itself', async () => {
    const target = new FakeTarget();
    target.createFailures = [new TicketRateLimitedError('429', { status: 429 })];
    const env = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: { attempt: 1, ticketMayExist: false } });
    const memos: unknown[] = [];
    env.on('heartbeat', (details: unknown) => memos.push(details));
    await expect(env.run(activitiesWithFake(target).createTicket, create)).rejects.toThrow('429');
    expect(memos).toEqual([{ attempt: 2, ticketMayExist: false }]);
  });

  test('when a permanent refusal follows a possible write, then no "not written" memo is left', async () => {
    const target = new FakeTarget();
    target.createFailures = [new TicketValidationError('Invalid urgency', { status: 400 })];
    const env = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: { attempt: 1, ticketMayExist: true } });
    const memos: unknown[] = [];
    env.on('heartbeat', (details: unknown) => memos.push(details));
    await expect(env.run(activitiesWithFake(target).createTicket, create)).rejects.toThrow('Invalid urgency');
    expect(memos).toEqual([]);
  });
});

describe('hole 6: how old an event is, from Hasura created_at', () => {
  const policy = resolvePolicy({ lookupFirstAfterMs: 3600_000 });
  const runStart = new Date('2026-12-02T12:00:00Z');
  const event = (createdAt: string) => ({ createdAt }) as HasuraEvent;

  test('when created_at has no zone (current Hasura), then it is read as UTC, the same as with Z', () => {
    expect(eventCreatedAtMs('2026-12-02T10:59:59.512844')).toBe(Date.parse('2026-12-02T10:59:59.512Z'));
    expect(eventCreatedAtMs('2026-12-02T10:59:59.512844Z')).toBe(eventCreatedAtMs('2026-12-02T10:59:59.512844'));
    expect(eventCreatedAtMs('2026-12-02T12:59:59+02:00')).toBe(Date.parse('2026-12-02T10:59:59Z'));
  });

  test.each([
    ['2026-12-02T11:30:00.000001', false],
    ['2026-12-02T11:00:00', false],
    ['2026-12-02T10:59:59.999999', true],
    ['2026-12-02T12:00:00+02:00', true],
    ['2026-12-03T00:00:00', false],
    ['not a time', true],
  ])(
    'when the event was created at %s and the run starts at 12:00 UTC, then "look up first" is %s',
    (createdAt, old) => {
      expect(isOldEvent(event(createdAt), policy, runStart)).toBe(old);
    },
  );
});
