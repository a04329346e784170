import { WorkflowFailedError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { RecordingNotifier } from '../helpers/event-harness';
import { deliverLikeHasura, hasuraEventBody } from '../helpers/hasura';
import { HASURA_SECRET, signedPost, startInboundStack, TRIGGER, type InboundStack } from '../helpers/inbound-stack';
import { eventually } from '../helpers/stack';
import { rowTicketKey } from '../helpers/correlation';

/* Issue 14's review: a change workflow that fails for good tells the operators, as a parked event does. */
const notifier = new RecordingNotifier();
let stack: InboundStack;
beforeAll(async () => {
  stack = await startInboundStack({ notifier });
}, 120_000);
afterAll(async () => stack?.close());

async function rowWithTicket(id: number) {
  await stack.db.query('INSERT INTO public.incident_request (id, title, status) VALUES ($1, $2, $3)', [
    id,
    'x',
    'open',
  ]);
  const row = (await stack.db.query('SELECT * FROM public.incident_request WHERE id = $1', [id])).rows[0];
  const body = hasuraEventBody({ trigger: TRIGGER, op: 'INSERT', id: randomUUID(), old: null, new: row });
  await deliverLikeHasura(body, { url: `${stack.apiUrl}/hasura/events`, secret: HASURA_SECRET });
  const correlationId = rowTicketKey(TRIGGER, 'public.incident_request', id);
  return eventually(() => stack.sim.records().find((r) => r.correlation_id === correlationId), { what: 'the ticket' });
}

test('when the row write is refused for good, then the change fails at once and the operators are told', async () => {
  const ticket = await rowWithTicket(31);
  const change = stack.sim.agentUpdate(ticket.sys_id, { fields: { state: '3', close_notes: 'waiting for a part' } });
  // A schema the inbound mapping no longer fits: PostgreSQL refuses the UPDATE (42703), no retry can help.
  await stack.db.query('ALTER TABLE public.incident_request RENAME COLUMN resolution TO resolution_text');
  try {
    const response = await signedPost(stack.apiUrl, {
      table: 'incident',
      sys_id: ticket.sys_id,
      sys_mod_count: Number(change.sys_mod_count),
    });
    const { workflowId } = (await response.json()) as { workflowId: string };
    const failure = await stack.temporal.client.workflow
      .getHandle(workflowId)
      .result()
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const { report, channel } = await eventually(() => notifier.sent.find((s) => s.report.workflowId === workflowId), {
      what: 'the failure notification',
    });
    expect(channel).toBe('webhook');
    expect(report).toMatchObject({
      outcome: 'failed',
      trigger: TRIGGER,
      table: 'public.incident_request',
      rowKey: '31',
      attempts: 1,
      lastError: { type: 'WriteBackError', message: expect.stringContaining('resolution') },
    });
    expect(report.webUiUrl).toContain(workflowId);
  } finally {
    await stack.db.query('ALTER TABLE public.incident_request RENAME COLUMN resolution_text TO resolution');
  }
});
