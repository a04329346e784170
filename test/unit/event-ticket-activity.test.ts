import { MockActivityEnvironment } from '@temporalio/testing';
import type { EventTicketInput, EventTicketResult } from '../../src/contract';
import { activitiesWithFake, FakeTarget } from '../helpers/fake-target';

/** createEventTicket alone, as a ticketing worker runs one attempt of it. */
function attempt(
  target: FakeTarget,
  input: Partial<EventTicketInput>,
  info: { attempt?: number; startToCloseTimeoutMs?: number },
) {
  const env = new MockActivityEnvironment({ attempt: 1, startToCloseTimeoutMs: 600_000, ...info });
  const event = {
    eventId: 'e1',
    trigger: 'tr',
    table: { schema: 'public', name: 'incident_request' },
    op: 'INSERT' as const,
    createdAt: new Date().toISOString(),
    data: { old: null, new: { id: 7, title: 'Disk full' } },
    sessionVariables: null,
  };
  const call: EventTicketInput = {
    event,
    correlationId: 'tr:e1',
    overrides: {},
    ticketMayExist: false,
    runStartedAt: new Date().toISOString(),
    ...input,
  };
  return env.run(activitiesWithFake(target).createEventTicket, call) as Promise<EventTicketResult>;
}

test('when a create hangs, then the attempt gives up at the policy attempt timeout', async () => {
  const target = new FakeTarget();
  target.createFailures = [{ answer: 'hang' }];
  const started = Date.now();
  await expect(attempt(target, { policy: { attemptTimeoutMs: 300 } }, {})).rejects.toMatchObject({
    type: 'TicketUnavailableError',
    nonRetryable: false,
  });
  expect(Date.now() - started).toBeLessThan(3_000);
});

test("when the policy's attempt timeout exceeds the workflow's start-to-close, then no request outlives the start-to-close", async () => {
  const target = new FakeTarget();
  target.createFailures = [{ answer: 'hang' }];
  const started = Date.now();
  const policy = { attemptTimeoutMs: 3_600_000 };
  await expect(attempt(target, { policy }, { startToCloseTimeoutMs: 300 })).rejects.toMatchObject({
    type: 'TicketUnavailableError',
  });
  expect(Date.now() - started).toBeLessThan(3_000);
});

test('when the create succeeds, then the result carries the worker policy, the row key and the ticket', async () => {
  const target = new FakeTarget();
  const result = await attempt(target, {}, {});
  expect(result).toMatchObject({
    attempt: 1,
    reusedExisting: false,
    ticketMayExist: false,
    rowKey: expect.any(String),
  });
  expect(result.policy.ticketRetry.maximumAttempts).toBeGreaterThan(0);
  expect(target.calls).toEqual(['create']);
});

test('when every attempt of the policy timed out and the next one starts, then its AttemptsSpent carries the target, so an abandon looks the ticket up', async () => {
  const target = new FakeTarget();
  const policy = { ticketRetry: { maximumAttempts: 2 } };
  const failure = attempt(target, { policy } as Partial<EventTicketInput>, { attempt: 3 });
  await expect(failure).rejects.toMatchObject({
    nonRetryable: true,
    details: [expect.anything(), { target: expect.any(String) }],
  });
  expect(target.calls).toEqual([]);
});
