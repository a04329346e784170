import type { ServiceNowChangeResult } from '../../src/contract';
import { ticketedRow } from '../helpers/inbound-rows';
import { signedPost, startInboundStack, TRIGGER, type InboundStack } from '../helpers/inbound-stack';

let stack: InboundStack;
beforeAll(async () => {
  stack = await startInboundStack();
}, 120_000);
afterAll(async () => stack?.close());

/** Ticketed and written back: the inbound writes below are then the only writes of the row. */
const rowWithTicket = (id: number) => ticketedRow(stack, TRIGGER, id);

const status = async (id: number) =>
  (await stack.db.query('SELECT status FROM public.incident_request WHERE id = $1', [id])).rows[0].status;

/** The change's workflow, as the business rule would start it, and its result. */
async function runChange(sysId: string, mod: number): Promise<ServiceNowChangeResult> {
  const response = await signedPost(stack.apiUrl, { table: 'incident', sys_id: sysId, sys_mod_count: mod });
  const { workflowId } = (await response.json()) as { workflowId: string };
  return (await stack.temporal.client.workflow.getHandle(workflowId).result()) as ServiceNowChangeResult;
}

test('when the record changes again while the row is being written, then the workflow writes the newer version last', async () => {
  const ticket = await rowWithTicket(11);
  const resolved = stack.sim.agentUpdate(ticket.sys_id, {
    fields: { state: '6', close_code: 'Solution provided', close_notes: 'fixed' },
  });
  let once = true;
  stack.writer.beforeWrite = (request) => {
    if (!once || !request.onlyIf) return;
    once = false;
    // A newer change lands between the read and the write (its own call lost: setWorkflow(false)).
    stack.sim.agentUpdate(ticket.sys_id, { fields: { state: '2' }, setWorkflow: false });
  };
  try {
    const result = await runChange(ticket.sys_id, Number(resolved.sys_mod_count));
    expect(result).toMatchObject({ outcome: 'written', rounds: 2, modCount: Number(resolved.sys_mod_count) + 1 });
    expect(await status(11)).toBe('in_progress');
  } finally {
    stack.writer.beforeWrite = undefined;
  }
});

test("when an older change's workflow runs after a newer one's, then it writes the current version, not its own", async () => {
  const ticket = await rowWithTicket(12);
  const older = stack.sim.agentUpdate(ticket.sys_id, { fields: { state: '2' } });
  const newer = stack.sim.agentUpdate(ticket.sys_id, {
    fields: { state: '6', close_code: 'Solution provided', close_notes: 'ok' },
  });
  expect(await runChange(ticket.sys_id, Number(newer.sys_mod_count))).toMatchObject({ outcome: 'written' });
  expect(await status(12)).toBe('resolved');
  const late = await runChange(ticket.sys_id, Number(older.sys_mod_count));
  expect(late).toMatchObject({ outcome: 'written', modCount: Number(newer.sys_mod_count), rounds: 1 });
  expect(await status(12)).toBe('resolved');
});

test('when the same change is posted again after its workflow finished, then nothing runs again', async () => {
  const ticket = await rowWithTicket(13);
  const change = stack.sim.agentUpdate(ticket.sys_id, { fields: { state: '2' } });
  await runChange(ticket.sys_id, Number(change.sys_mod_count));
  const writes = stack.writer.writes.length;
  const again = await signedPost(stack.apiUrl, {
    table: 'incident',
    sys_id: ticket.sys_id,
    sys_mod_count: Number(change.sys_mod_count),
  });
  expect(await again.json()).toMatchObject({ accepted: true, duplicate: true });
  expect(stack.writer.writes.length).toBe(writes);
});

test("when the ticket is not one of the bridge's row tickets, then the change is acknowledged and ignored", async () => {
  const ticket = await rowWithTicket(14);
  const foreign = stack.sim.agentUpdate(ticket.sys_id, { fields: { correlation_id: 'JIRA-77', state: '2' } });
  const result = await runChange(ticket.sys_id, Number(foreign.sys_mod_count));
  expect(result).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('not a row ticket') });
  expect(await status(14)).toBe('open');
});
