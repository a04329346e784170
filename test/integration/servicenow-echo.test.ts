import { randomUUID } from 'node:crypto';
import { SERVICENOW_RECONCILE_WORKFLOW_TYPE, type ServiceNowChangeResult } from '../../src/contract';
import { ticketedRow } from '../helpers/inbound-rows';
import { signedPost, startInboundStack, type InboundStack } from '../helpers/inbound-stack';
import { eventually } from '../helpers/stack';

// Its own trigger: other inbound suites use the same row ids on the shared dev server (one row workflow each).
const TRIGGER = 'incident_echo';

/*
 * Issue 14's review (H2, H3): the bridge's own ticket update (sys_updated_by = its integration user) must never
 * hide an agent's change made before it. The instance's business rule is not installed here: each test posts
 * the calls it means, when it means them, and agents change records with `setWorkflow: false`.
 */
let stack: InboundStack;
beforeAll(async () => {
  stack = await startInboundStack({ trigger: TRIGGER });
}, 120_000);
afterAll(async () => stack?.close());
afterEach(() => {
  stack.writer.beforeWrite = undefined;
});

type Row = Record<string, unknown>;
const rowOf = async (id: number): Promise<Row> =>
  (await stack.db.query('SELECT *, xmin::text AS version FROM public.incident_request WHERE id = $1', [id])).rows[0];

/** Ticketed and written back: the inbound writes below are then the only writes of the row. */
const rowWithTicket = (id: number) => ticketedRow(stack, TRIGGER, id);

/** The change's workflow, as the business rule would start it, and its result. */
async function runChange(sysId: string, mod: number): Promise<ServiceNowChangeResult> {
  const response = await signedPost(stack.apiUrl, { table: 'incident', sys_id: sysId, sys_mod_count: mod });
  const { workflowId } = (await response.json()) as { workflowId: string };
  return (await stack.temporal.client.workflow.getHandle(workflowId).result()) as ServiceNowChangeResult;
}

const agent = (sysId: string, fields: Record<string, string>) =>
  stack.sim.agentUpdate(sysId, { user: 'ann.agent', fields, setWorkflow: false });
/** The bridge's own ticket update, as its row workflow makes it: the integration user of the stack's target. */
const bridge = (sysId: string, fields: Record<string, string>, user = 'bridge') =>
  stack.sim.agentUpdate(sysId, { user, fields, setWorkflow: false });
const RESOLVED = { state: '6', close_code: 'Solution provided', close_notes: 'Replaced the disk' };

test("when the bridge updates the ticket after an agent's change and before that change's workflow reads it, then the agent's change still reaches the row", async () => {
  const ticket = await rowWithTicket(21);
  const resolved = agent(ticket.sys_id, RESOLVED);
  const own = bridge(ticket.sys_id, { short_description: 'row 21, renamed' });
  const result = await runChange(ticket.sys_id, Number(resolved.sys_mod_count));
  expect(result).toMatchObject({ outcome: 'written', rows: 1, changed: 1, modCount: Number(own.sys_mod_count) });
  expect(await rowOf(21)).toMatchObject({ status: 'resolved', resolution: 'Replaced the disk' });
});

test("when the record moves on during the write and its newest version is the bridge's own update, then the loop writes it", async () => {
  const ticket = await rowWithTicket(22);
  const first = agent(ticket.sys_id, { state: '2' });
  let once = true;
  stack.writer.beforeWrite = (request) => {
    if (!once || !request.onlyIf) return;
    once = false;
    agent(ticket.sys_id, RESOLVED);
    bridge(ticket.sys_id, { short_description: 'row 22, renamed' });
  };
  const result = await runChange(ticket.sys_id, Number(first.sys_mod_count));
  expect(result).toMatchObject({ outcome: 'written', rounds: 2, modCount: Number(first.sys_mod_count) + 2 });
  expect(await rowOf(22)).toMatchObject({ status: 'resolved', resolution: 'Replaced the disk' });
});

test("when the bridge's own update carries what the row holds, named in another case, then it is its own change and the row is not touched", async () => {
  const ticket = await rowWithTicket(23);
  await runChange(ticket.sys_id, Number(agent(ticket.sys_id, RESOLVED).sys_mod_count));
  const before = await rowOf(23);
  // ServiceNow compares user names case-insensitively: `BRIDGE` is the integration user `bridge`.
  const own = bridge(ticket.sys_id, { short_description: 'row 23, renamed' }, 'BRIDGE');
  const result = await runChange(ticket.sys_id, Number(own.sys_mod_count));
  expect(result).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining("the bridge's own change") });
  expect(result).toMatchObject({ rows: 1, changed: 0 });
  // No UPDATE at all: the row version (xmin) is the same, so the database recorded no change and Hasura no event.
  expect(await rowOf(23)).toEqual(before);
});

test('when the record keeps moving for more rounds than the cap, then the run says it stopped at the cap', async () => {
  const ticket = await rowWithTicket(24);
  const first = agent(ticket.sys_id, { state: '2' });
  let moves = 0;
  stack.writer.beforeWrite = (request) => {
    if (!request.onlyIf) return;
    moves += 1;
    agent(ticket.sys_id, { state: moves % 2 ? '3' : '2' });
  };
  const result = await runChange(ticket.sys_id, Number(first.sys_mod_count));
  expect(result).toMatchObject({ outcome: 'written', rounds: 5, capped: true });
});

test("when the agent's call is lost and the bridge's own update is the record's latest, then a reconciler sweep brings the agent's change to the row", async () => {
  const ticket = await rowWithTicket(25);
  agent(ticket.sys_id, { state: '3', close_notes: 'waiting for the vendor' });
  bridge(ticket.sys_id, { short_description: 'row 25, renamed' });
  const sweep = await stack.temporal.client.workflow.execute(SERVICENOW_RECONCILE_WORKFLOW_TYPE, {
    taskQueue: stack.taskQueue,
    workflowId: `reconcile-echo-${randomUUID()}`,
  });
  expect(sweep).toMatchObject({ seen: expect.any(Number) });
  await eventually(async () => ((await rowOf(25)).status === 'on_hold' ? true : undefined), {
    what: 'the swept change in the row',
    timeoutMs: 20_000,
  });
  expect(await rowOf(25)).toMatchObject({ resolution: 'waiting for the vendor' });
});
