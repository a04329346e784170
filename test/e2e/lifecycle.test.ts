import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { deliverLikeHasura, hasuraEventBody, type Op } from '../helpers/hasura';
import { eventually, startStack, TEST_SECRET, type Stack } from '../helpers/stack';
import { rowTicketKey } from '../helpers/correlation';

const TRIGGER = 'incident_lifecycle';
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { BRIDGE_CONFIG: path.resolve(__dirname, '..', 'fixtures', 'lifecycle.yaml') } });
}, 120_000);
afterAll(async () => stack?.close());

interface Step {
  op: Op;
  row: Record<string, unknown>;
  old?: Record<string, unknown>;
  at: string;
}

/** A row's life: created, edited twice, deleted; created_at is what orders them (Hasura does not). */
function lifeOf(id: number, withDelete = true): Step[] {
  const v1 = { id, title: 'Disk almost full', description: 'db-1', priority: 'low' };
  const v2 = { ...v1, priority: 'high' };
  const v3 = { ...v2, title: 'Disk full', description: 'db-1 stopped' };
  const steps: Step[] = [
    { op: 'INSERT', row: v1, at: '2026-11-27T10:00:00.100000' },
    { op: 'UPDATE', old: v1, row: v2, at: '2026-11-27T10:00:01.200000' },
    { op: 'UPDATE', old: v2, row: v3, at: '2026-11-27T10:00:02.300000' },
  ];
  if (withDelete) steps.push({ op: 'DELETE', old: v3, row: v3, at: '2026-11-27T10:00:03.400000' });
  return steps;
}

function bodies(steps: Step[], trigger = TRIGGER) {
  return steps.map((step) => {
    const body = hasuraEventBody({
      trigger,
      op: step.op,
      id: randomUUID(),
      old: step.old ?? null,
      new: step.op === 'DELETE' ? null : step.row,
    });
    return { ...body, created_at: step.at };
  });
}

const deliver = (body: Record<string, unknown>) =>
  deliverLikeHasura(body, { url: stack.webhookUrl, secret: TEST_SECRET });

async function settledTicket(rowId: number, expectedState: string, trigger = TRIGGER) {
  const correlationId = rowTicketKey(trigger, 'public.incident_request', rowId);
  return eventually(
    () => {
      const records = stack.simulator.records('incident').filter((r) => r.correlation_id === correlationId);
      return records.length === 1 && records[0].state === expectedState && records[0].short_description === 'Disk full'
        ? records[0]
        : undefined;
    },
    { what: `the ticket of row ${rowId} in state ${expectedState}`, timeoutMs: 60_000 },
  );
}

test('when a row is inserted, updated and deleted, then one ticket is created, updated with a work note, and resolved', async () => {
  const [insert, raise, rename, remove] = bodies(lifeOf(1));
  const ticketOf = (check: (r: Record<string, string>) => boolean) =>
    eventually(
      () =>
        stack.simulator
          .records('incident')
          .find((r) => r.correlation_id === rowTicketKey(TRIGGER, 'public.incident_request', 1) && check(r)),
      { what: 'row 1 ticket step' },
    );
  await deliver(insert);
  const created = await ticketOf((r) => r.urgency === '3');
  await deliver(raise);
  await ticketOf((r) => r.urgency === '1');
  await deliver(rename);
  await ticketOf((r) => r.short_description === 'Disk full');
  await deliver(remove);
  const ticket = await settledTicket(1, '6');
  expect(ticket.sys_id).toBe(created.sys_id);
  expect(ticket).toMatchObject({
    urgency: '1',
    description: 'db-1 stopped',
    close_code: 'Solution provided',
    close_notes: 'Row 1 deleted',
  });
  const notes = stack.simulator
    .journal(ticket.sys_id)
    .map((entry) => entry.value)
    .join('\n');
  expect(notes).toContain('priority: low → high');
  expect(notes).toContain('title: Disk almost full → Disk full');
  expect(stack.simulator.stats().byCorrelation[rowTicketKey(TRIGGER, 'public.incident_request', 1)]).toBeGreaterThan(0);
});

test('when the same life is delivered shuffled and twice over, then the ticket ends the same, and only one exists', async () => {
  const inOrder = await settledTicket(1, '6');
  const rows = [11, 12, 13];
  await Promise.all(
    rows.map(async (id, i) => {
      const all = bodies(lifeOf(id));
      const shuffled = [...all, ...all].sort(() => (i % 2 ? 1 : -1) * (Math.random() - 0.3));
      await Promise.all(
        shuffled.map((body, k) => new Promise((resolve) => setTimeout(resolve, k * 40)).then(() => deliver(body))),
      );
    }),
  );
  for (const id of rows) {
    const ticket = await settledTicket(id, '6');
    for (const field of ['short_description', 'description', 'urgency', 'state', 'close_code'])
      expect(ticket[field]).toBe(inOrder[field]);
  }
});

test('when an UPDATE arrives before its INSERT, then the INSERT is stale and no second ticket appears', async () => {
  const [insert, , update] = bodies(lifeOf(21, false));
  await deliver(update);
  await settledTicket(21, '1');
  await deliver(insert);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const ticket = await settledTicket(21, '1');
  expect(ticket.urgency).toBe('1');
  expect(stack.simulator.countByCorrelation(rowTicketKey(TRIGGER, 'public.incident_request', 21))).toBe(1);
});

test('when the ticket was closed in ServiceNow, then an update reopens it, or is ignored when so configured', async () => {
  const [insert, , update] = bodies(lifeOf(31, false));
  await deliver(insert);
  const created = await eventually(() =>
    stack.simulator
      .records('incident')
      .find((r) => r.correlation_id === rowTicketKey(TRIGGER, 'public.incident_request', 31)),
  );
  await fetch(`${stack.simulator.url}/api/now/table/incident/${created.sys_id}`, {
    method: 'PATCH',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: `Basic ${Buffer.from('bridge:bridge-password').toString('base64')}`,
    },
    body: JSON.stringify({ state: '7', close_code: 'Solution provided', close_notes: 'closed by a human' }),
  });
  await deliver(update);
  await settledTicket(31, '2');

  const [insertIgnored, , updateIgnored] = bodies(lifeOf(32, false), 'lifecycle_ignore_closed');
  await deliver(insertIgnored);
  const other = await eventually(() =>
    stack.simulator
      .records('incident')
      .find((r) => r.correlation_id === rowTicketKey('lifecycle_ignore_closed', 'public.incident_request', 32)),
  );
  await fetch(`${stack.simulator.url}/api/now/table/incident/${other.sys_id}`, {
    method: 'PATCH',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: `Basic ${Buffer.from('bridge:bridge-password').toString('base64')}`,
    },
    body: JSON.stringify({ state: '7', close_code: 'Solution provided', close_notes: 'closed by a human' }),
  });
  await deliver(updateIgnored);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const after = stack.simulator.records('incident').find((r) => r.sys_id === other.sys_id)!;
  expect(after).toMatchObject({ state: '7', short_description: 'Disk almost full' });
});
