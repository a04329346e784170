import { MockActivityEnvironment } from '@temporalio/testing';
import { warningOfCreatesOffTicketingQueue } from '../../src/activities';
import type { EventTicketInput, EventTicketResult } from '../../src/contract';
import { createLogger } from '../../src/logging';

/** A rate-limited worker's workflow queues: a create that reaches them runs, and the log says what to set. */
test('when creates reach a rate-limited worker on its workflow queue, then each runs once and one warning names TICKET_CREATE_QUEUE', async () => {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => lines.push(line) } });
  const sent: string[] = [];
  const createEventTicket = async (input: EventTicketInput) => {
    sent.push(input.correlationId);
    return { ticket: { id: input.correlationId } } as unknown as EventTicketResult;
  };
  const wrapped = warningOfCreatesOffTicketingQueue({ createEventTicket }, logger);
  const env = new MockActivityEnvironment({ taskQueue: 'incident-bridge' });
  for (const correlationId of ['tr:1', 'tr:2', 'tr:3'])
    await env.run(wrapped.createEventTicket, { correlationId } as EventTicketInput);

  expect(sent).toEqual(['tr:1', 'tr:2', 'tr:3']);
  const warnings = lines.map((line) => JSON.parse(line)).filter((entry) => entry.level >= 40);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatchObject({ taskQueue: 'incident-bridge', correlationId: 'tr:1' });
  expect(warnings[0].msg).toContain('TICKET_CREATE_QUEUE=ticketing');
});
