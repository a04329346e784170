import { randomUUID } from 'node:crypto';
import type { ServiceNowChangeResult } from '../../src/contract';
import { rowTicketKey } from '../helpers/correlation';
import { deliverLikeHasura, hasuraEventBody } from '../helpers/hasura';
import { HASURA_SECRET, SN_SECRET, startInboundStack, type InboundStack } from '../helpers/inbound-stack';
import { eventually } from '../helpers/stack';

/*
 * Review 14 (third): a change of a ticket the row workflow does not hold yet waits for it (durable timers), instead
 * of retrying for the activity's schedule only (7) or being ignored as "another ticket's row" (6).
 */
const TRIGGER = 'incident_review14_waits';
const CREATE_NEW = 'incident_review14_create_new';
// A second trigger on the same table whose closed tickets are followed by a new one (ids 420+ are its rows).
const createNewYaml = `
  ${CREATE_NEW}:
    row_key: [id]
    lifecycle: { enabled: true, on_closed: create-new, reorder_window: 300ms }
    fields:
      short_description: "{{ row.title }}"
    inbound:
      columns:
        status: "{{ record.state | lookup: 'sn_state_to_status' }}"
        resolution: "{{ record.close_notes }}"
`;

let stack: InboundStack;
beforeAll(async () => {
  stack = await startInboundStack({ trigger: TRIGGER, moreTriggersYaml: createNewYaml });
  stack.sim.configureBusinessRule({ url: `${stack.apiUrl}/servicenow/events`, secret: SN_SECRET, auth: 'hmac' });
}, 120_000);
afterAll(async () => stack?.close());

const rowIn = async (id: number) =>
  (await stack.db.query('SELECT * FROM public.incident_request WHERE id = $1', [id])).rows[0];

/** The change's run, once it ended: its result, or its failure's message (today's code fails or ignores). */
const changeEnd = (sysId: string, mod: unknown) =>
  eventually(
    async () => {
      const handle = stack.temporal.client.workflow.getHandle(`servicenow-incident-${sysId}-${String(mod)}`);
      try {
        return (await handle.result()) as ServiceNowChangeResult | string;
      } catch (error) {
        if (/not found/i.test(String(error))) return undefined;
        return `failed: ${String((error as Error).cause ?? error)}`;
      }
    },
    { timeoutMs: 30_000, what: `the change workflow of ${sysId} at ${String(mod)}` },
  );

async function deliver(
  trigger: string,
  op: 'INSERT' | 'UPDATE',
  id: number,
  old: Record<string, unknown> | null = null,
) {
  const body = hasuraEventBody({ trigger, op, id: randomUUID(), old, new: await rowIn(id) });
  await deliverLikeHasura(body, { url: `${stack.apiUrl}/hasura/events`, secret: HASURA_SECRET });
}

/** The change's run wrote its values: the row holds the agent's state. */
async function expectWritten(sysId: string, mod: unknown, id: number) {
  const end = await changeEnd(sysId, mod);
  expect({ end, row: await rowIn(id) }).toMatchObject({ end: { outcome: 'written' }, row: { status: 'in_progress' } });
}

const ticketsOf = (trigger: string, id: number) =>
  stack.sim.records().filter((r) => r.correlation_id === rowTicketKey(trigger, 'public.incident_request', id));

const heldBy = async (trigger: string, id: number) => {
  const handle = stack.temporal.client.workflow.getHandle(`row-${trigger}-public.incident_request-${id}`);
  return (await handle.query<{ ticket?: { id: string } }>('status')).ticket?.id;
};

/**
 * (7) The create's answer comes after the change's activity schedule is over (3 fast attempts here; 20 by default,
 * which a create answered late or parked outlasts as well): the run must wait for the row, not fail for good.
 */
test('(7) a change landing long before the row workflow holds its ticket reaches the row without a re-drive', async () => {
  const id = 410;
  stack.sim.setFaults({
    delayedCommit: { count: 1, commitAfterMs: 0, answer: 'late', lateByMs: 2_500 },
    scope: { correlationIdPrefix: `${TRIGGER}:` },
  });
  try {
    await stack.db.query("INSERT INTO public.incident_request (id, title, status) VALUES ($1, 'w7', 'open')", [id]);
    await deliver(TRIGGER, 'INSERT', id);
    const ticket = await eventually(() => ticketsOf(TRIGGER, id)[0], { what: 'the committed ticket' });
    const moved = stack.sim.agentUpdate(ticket.sys_id, { user: 'ann.agent', fields: { state: '2' } });
    await expectWritten(ticket.sys_id, moved.sys_mod_count, id);
  } finally {
    stack.sim.setFaults({});
  }
}, 90_000);

/**
 * (6) With on_closed: create-new the row workflow holds the closed ticket while it creates the new one: a change of
 * the new ticket in that window is not "another ticket's row" (ignored for good), it waits for the create.
 */
test('(6) a change of the new ticket made before the row workflow records it reaches the row', async () => {
  const id = 420;
  await stack.db.query("INSERT INTO public.incident_request (id, title, status) VALUES ($1, 'w6', 'open')", [id]);
  await deliver(CREATE_NEW, 'INSERT', id);
  const [old] = await eventually(() => (ticketsOf(CREATE_NEW, id).length ? ticketsOf(CREATE_NEW, id) : undefined));
  await eventually(async () => ((await heldBy(CREATE_NEW, id)) === old.sys_id ? true : undefined));
  const closed = stack.sim.agentUpdate(old.sys_id, {
    user: 'ann.agent',
    fields: { state: '7', close_code: 'Solution provided', close_notes: 'done' },
  });
  expect(await changeEnd(old.sys_id, closed.sys_mod_count)).toMatchObject({ outcome: 'written' });
  stack.sim.setFaults({
    delayedCommit: { count: 1, commitAfterMs: 0, answer: 'late', lateByMs: 2_500 },
    scope: { correlationIdPrefix: `${CREATE_NEW}:` },
  });
  try {
    const before = await rowIn(id);
    await stack.db.query("UPDATE public.incident_request SET title = 'w6 again' WHERE id = $1", [id]);
    await deliver(CREATE_NEW, 'UPDATE', id, before);
    const fresh = await eventually(() => ticketsOf(CREATE_NEW, id).find((r) => r.sys_id !== old.sys_id), {
      what: 'the new ticket committed',
    });
    const moved = stack.sim.agentUpdate(fresh.sys_id, { user: 'ann.agent', fields: { state: '2', close_notes: '' } });
    await expectWritten(fresh.sys_id, moved.sys_mod_count, id);
  } finally {
    stack.sim.setFaults({});
  }
}, 90_000);
