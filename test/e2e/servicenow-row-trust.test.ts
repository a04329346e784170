import { randomUUID } from 'node:crypto';
import type { EventStatus, ServiceNowChangeResult } from '../../src/contract';
import { deliverLikeHasura, hasuraEventBody } from '../helpers/hasura';
import { HASURA_SECRET, startInboundStack, type InboundStack } from '../helpers/inbound-stack';
import { eventually } from '../helpers/stack';
import { rowTicketKey } from '../helpers/correlation';

/*
 * Issue 14 review H1: the incident's correlation_id is editable by any ServiceNow user who may edit the
 * incident, so it must never choose which row or table is written. Only rows the bridge ticketed, in the
 * table the trigger writes, bound to this very ticket.
 */
const TRIGGER = 'incident_trust';
/** A trigger writing back into the event's own table (no writeback.table): past retention, no row is confirmed. */
const PLAIN = 'incident_trust_plain';
const TICKETS = 'public.incident_ticket';
const RESOLVE = { state: '6', close_code: 'Solution provided' };

let stack: InboundStack;
beforeAll(async () => {
  stack = await startInboundStack({
    trigger: TRIGGER,
    ddl: [
      `CREATE TABLE ${TICKETS} (id int PRIMARY KEY, status text, resolution text, ticket_sys_id text)`,
      'CREATE TABLE public.payroll (id int PRIMARY KEY, status text, resolution text)',
    ],
    // The ticket columns live in a table of their own: inbound writes go there too.
    writebackYaml: `    writeback:\n      via: postgres\n      table: ${TICKETS}\n      columns: { ticket_sys_id: "{{ ticket.id }}" }`,
    moreTriggersYaml: [
      `  ${PLAIN}:`,
      '    row_key: [id]',
      '    lifecycle: { enabled: true, reorder_window: 300ms }',
      '    fields: { short_description: "{{ row.title }}" }',
      '    writeback: { via: postgres, columns: { ticket_sys_id: "{{ ticket.id }}" } }',
      '    inbound:',
      '      ticket_column: ticket_sys_id',
      '      columns: { status: "{{ record.state | lookup: \'sn_state_to_status\' }}" }',
    ].join('\n'),
  });
}, 120_000);
afterAll(async () => stack?.close());

type Row = Record<string, unknown>;
const rowIn = async (table: string, id: number): Promise<Row> =>
  (await stack.db.query(`SELECT * FROM ${table} WHERE id = $1`, [id])).rows[0];

/**
 * A row inserted, its INSERT delivered and its ticket made: a row the bridge ticketed. Through TRIGGER its
 * ticket's sys_id is also written back into the ticket table's row of the same id.
 */
async function rowWithTicket(id: number, trigger = TRIGGER) {
  await stack.db.query('INSERT INTO public.incident_request (id, title, status) VALUES ($1, $2, $3)', [
    id,
    `row ${id}`,
    'open',
  ]);
  if (trigger === TRIGGER) await stack.db.query(`INSERT INTO ${TICKETS} (id) VALUES ($1)`, [id]);
  const row = await rowIn('public.incident_request', id);
  const body = hasuraEventBody({ trigger, op: 'INSERT', id: randomUUID(), old: null, new: row });
  await deliverLikeHasura(body, { url: `${stack.apiUrl}/hasura/events`, secret: HASURA_SECRET });
  const correlationId = rowTicketKey(trigger, 'public.incident_request', id);
  const ticket = await eventually(() => stack.sim.records().find((r) => r.correlation_id === correlationId), {
    what: `the ticket of row ${id}`,
  });
  if (trigger !== TRIGGER) return ticket;
  await eventually(async () => ((await rowIn(TICKETS, id)).ticket_sys_id === ticket.sys_id ? true : undefined), {
    what: `the write-back of row ${id}`,
  });
  return ticket;
}

const changeResult = (sysId: string, mod: unknown) =>
  eventually(
    async () => {
      try {
        const handle = stack.temporal.client.workflow.getHandle(`servicenow-incident-${sysId}-${String(mod)}`);
        return (await handle.result()) as ServiceNowChangeResult;
      } catch (error) {
        if (/not found/i.test(String(error))) return undefined;
        throw error;
      }
    },
    { what: `the change workflow of ${sysId} at ${String(mod)}` },
  );

/** An agent's edit, sent to the receiver by the business rule. */
function agentEdit(sysId: string, fields: Record<string, string>, user = 'mallory') {
  stack.sim.configureBusinessRule({
    url: `${stack.apiUrl}/servicenow/events`,
    secret: 'sn-events-secret',
    auth: 'hmac',
  });
  return stack.sim.agentUpdate(sysId, { user, fields });
}

/** What Temporal's retention does to a row workflow's history: gone. */
async function forgetRowWorkflow(id: number) {
  const { client } = stack.temporal;
  const workflowId = `row-${TRIGGER}-public.incident_request-${id}`;
  await client.workflowService.deleteWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId } });
  await eventually(
    async () => {
      try {
        await client.workflow.getHandle(workflowId).describe();
        return undefined;
      } catch (error) {
        return /not found/i.test(String(error)) ? true : undefined;
      }
    },
    { what: `row workflow ${workflowId} deleted` },
  );
}

test("when an agent points a ticket at another row of the table, then the row's workflow refuses it: not written, ignored naming why", async () => {
  const mine = await rowWithTicket(21, PLAIN);
  await rowWithTicket(22, PLAIN);
  const forged = agentEdit(mine.sys_id, {
    correlation_id: rowTicketKey(PLAIN, 'public.incident_request', 22),
    state: '2',
  });
  const result = await changeResult(mine.sys_id, forged.sys_mod_count);
  expect(result).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining(`not ${mine.number}`) });
  expect(await rowIn('public.incident_request', 22)).toMatchObject({ status: 'open' });
  expect(stack.writer.writes.filter((w) => w.key.id === '22')).toHaveLength(0);
});

test('when an agent points a ticket at another table, then no row workflow confirms it: not written, ignored naming the table', async () => {
  const mine = await rowWithTicket(23, PLAIN);
  await stack.db.query("INSERT INTO public.payroll (id, status) VALUES (23, 'paid')");
  const forged = agentEdit(mine.sys_id, { correlation_id: rowTicketKey(PLAIN, 'public.payroll', 23), state: '2' });
  const result = await changeResult(mine.sys_id, forged.sys_mod_count);
  expect(result).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('public.payroll') });
  expect(await rowIn('public.payroll', 23)).toMatchObject({ status: 'paid', resolution: null });
  expect(stack.writer.writes.filter((w) => w.table.name === 'payroll')).toHaveLength(0);
});

test('when a trigger with writeback.table gets a ticket pointed at another table, then only its own table is written, by the ticket column', async () => {
  const mine = await rowWithTicket(27);
  await stack.db.query("INSERT INTO public.payroll (id, status) VALUES (27, 'paid')");
  const forged = agentEdit(mine.sys_id, { correlation_id: rowTicketKey(TRIGGER, 'public.payroll', 27), state: '2' });
  await changeResult(mine.sys_id, forged.sys_mod_count);
  expect(await rowIn('public.payroll', 27)).toMatchObject({ status: 'paid', resolution: null });
  expect(stack.writer.writes.filter((w) => w.table.name === 'payroll')).toHaveLength(0);
  expect(stack.writer.writes.filter((w) => w.key.id === '27')).toEqual([
    expect.objectContaining({
      table: { schema: 'public', name: 'incident_ticket' },
      onlyIf: { ticket_sys_id: mine.sys_id },
    }),
  ]);
});

test('when the trigger writes back into its own table, then an agent change lands in that table', async () => {
  const ticket = await rowWithTicket(24);
  const resolved = agentEdit(ticket.sys_id, { ...RESOLVE, close_notes: 'Replaced the disk' }, 'ann.agent');
  const result = await changeResult(ticket.sys_id, resolved.sys_mod_count);
  expect(result).toMatchObject({ outcome: 'written', rows: 1 });
  expect(await rowIn(TICKETS, 24)).toMatchObject({ status: 'resolved', resolution: 'Replaced the disk' });
  expect(await rowIn('public.incident_request', 24)).toMatchObject({ status: 'open', resolution: null });
});

test('when the row workflow is past retention, then the ticket column still binds the row: its own ticket writes, another does not', async () => {
  const mine = await rowWithTicket(25);
  const other = await rowWithTicket(26);
  await forgetRowWorkflow(25);
  await forgetRowWorkflow(26);
  const forged = agentEdit(other.sys_id, {
    correlation_id: rowTicketKey(TRIGGER, 'public.incident_request', 25),
    state: '2',
  });
  const forgedResult = await changeResult(other.sys_id, forged.sys_mod_count);
  expect(forgedResult).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining(`not ${other.number}`) });
  expect(await rowIn(TICKETS, 25)).toMatchObject({ status: null });
  expect(await rowIn('public.incident_request', 25)).toMatchObject({ status: 'open' });

  const resolved = agentEdit(mine.sys_id, { ...RESOLVE, close_notes: 'after retention' }, 'ann.agent');
  const result = await changeResult(mine.sys_id, resolved.sys_mod_count);
  expect(result).toMatchObject({ outcome: 'written', rows: 1 });
  expect(await rowIn(TICKETS, 25)).toMatchObject({ status: 'resolved', resolution: 'after retention' });
});

test("when an agent changes the ticket before the row's write-back has put it into the ticket column, then the change waits for it and reaches the row", async () => {
  const id = 28;
  const inner = stack.writer.write;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  // Holds the write-back of the row's new ticket (the inbound writes carry onlyIf, the write-back does not).
  stack.writer.write = async (request) => {
    if (request.key.id === id && !request.onlyIf) await gate;
    return inner(request);
  };
  try {
    const ticket = await rowWithTicket(id, PLAIN);
    const rowWorkflow = stack.temporal.client.workflow.getHandle(`row-${PLAIN}-public.incident_request-${id}`);
    await eventually(async () => ((await rowWorkflow.query<EventStatus>('status')).ticket ? true : undefined), {
      what: `row ${id}'s workflow holding its ticket`,
    });
    const moved = agentEdit(ticket.sys_id, { state: '2' }, 'ann.agent');
    const change = stack.temporal.client.workflow.getHandle(
      `servicenow-incident-${ticket.sys_id}-${moved.sys_mod_count}`,
    );
    // The change has found the ticket column empty at least once (or has ended) before the write-back lands.
    await eventually(
      async () => {
        const run = await change.describe().catch(() => undefined);
        const retried = run?.raw.pendingActivities?.some((activity) => (activity.attempt ?? 0) >= 2);
        return retried || (run && run.status.name !== 'RUNNING') || undefined;
      },
      { what: 'the change retrying its read' },
    );
    release();
    expect(await changeResult(ticket.sys_id, moved.sys_mod_count)).toMatchObject({ outcome: 'written', rows: 1 });
    expect(await rowIn('public.incident_request', id)).toMatchObject({ status: 'in_progress' });
  } finally {
    release();
    stack.writer.write = inner;
  }
});
