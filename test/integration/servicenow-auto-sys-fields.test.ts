import { randomUUID } from 'node:crypto';
import type { ServiceNowChangeResult } from '../../src/contract';
import { deliverLikeHasura, hasuraEventBody } from '../helpers/hasura';
import { HASURA_SECRET, SN_SECRET, startInboundStack, type InboundStack } from '../helpers/inbound-stack';
import { eventually } from '../helpers/stack';
import { rowTicketKey } from '../helpers/correlation';

// Its own trigger: other inbound suites use the same row ids on the shared dev server (one row workflow each).
const TRIGGER = 'incident_autosys';

/**
 * A script's `autoSysFields(false)` update leaves sys_mod_count as it was, so the Business Rule posts
 * the previous change's count: by design it starts nothing, and the change reaches the row with the
 * next ordinary update (README "ServiceNow back to the row", Limits).
 */
let stack: InboundStack;
beforeAll(async () => {
  stack = await startInboundStack({ trigger: TRIGGER });
  stack.sim.configureBusinessRule({ url: `${stack.apiUrl}/servicenow/events`, secret: SN_SECRET, auth: 'hmac' });
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

const status = async (id: number) =>
  (await stack.db.query('SELECT status FROM public.incident_request WHERE id = $1', [id])).rows[0].status;

/** The result of the workflow the business rule's call started for that count. */
const changeResult = (sysId: string, mod: string) =>
  eventually(
    async () => {
      try {
        const handle = stack.temporal.client.workflow.getHandle(`servicenow-incident-${sysId}-${mod}`);
        return (await handle.result()) as ServiceNowChangeResult;
      } catch (error) {
        if (/not found/i.test(String(error))) return undefined;
        throw error;
      }
    },
    { what: `the change workflow of ${sysId} at ${mod}` },
  );

/** The id's latest run, read from the workflow itself (visibility lists lag behind under load). */
const latestRun = async (workflowId: string) =>
  (await stack.temporal.client.workflow.getHandle(workflowId).describe()).runId;

test('when a change is made with autoSysFields(false), then its call starts nothing and the next ordinary change brings it to the row', async () => {
  const ticket = await rowWithTicket(21);
  const first = stack.sim.agentUpdate(ticket.sys_id, { user: 'ann.agent', fields: { state: '2' } });
  expect(await changeResult(ticket.sys_id, first.sys_mod_count)).toMatchObject({ outcome: 'written' });
  expect(await status(21)).toBe('in_progress');
  const writes = stack.writer.writes.length;
  const firstId = `servicenow-incident-${ticket.sys_id}-${first.sys_mod_count}`;
  const firstRun = await latestRun(firstId);

  const quiet = stack.sim.agentUpdate(ticket.sys_id, {
    user: 'fix.script',
    fields: { state: '6', close_code: 'Solution provided', close_notes: 'bulk fix' },
    autoSysFields: false,
  });
  expect([quiet.sys_mod_count, quiet.sys_updated_by]).toEqual([first.sys_mod_count, 'ann.agent']);
  const sent = stack.sim.businessRuleStats().sent;
  await stack.sim.outboundSettled();
  expect(stack.sim.businessRuleStats()).toMatchObject({ sent: sent + 1, failed: 0 }); // accepted: a repeat
  expect(await latestRun(firstId)).toBe(firstRun);
  expect(stack.writer.writes.length).toBe(writes);
  expect(await status(21)).toBe('in_progress');

  const next = stack.sim.agentUpdate(ticket.sys_id, { user: 'ann.agent', fields: { work_notes: 'checked' } });
  expect(Number(next.sys_mod_count)).toBe(Number(first.sys_mod_count) + 1);
  expect(await changeResult(ticket.sys_id, next.sys_mod_count)).toMatchObject({ outcome: 'written' });
  expect(await status(21)).toBe('resolved');
});
