import { randomUUID } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import {
  serviceNowReconcileScheduleId,
  type ReconcileInput,
  type EventStatus,
  type ReconcileResult,
  type ServiceNowChangeResult,
} from '../../src/contract';
import { createLogger } from '../../src/logging';
import { ensureReconcileSchedule } from '../../src/worker/reconcile-schedule';
import { deliverLikeHasura, hasuraEventBody } from '../helpers/hasura';
import { HASURA_SECRET, signedPost, startInboundStack, TRIGGER, type InboundStack } from '../helpers/inbound-stack';
import { eventually } from '../helpers/stack';
import { rowTicketKey } from '../helpers/correlation';

const silentLogger = createLogger({ level: 'silent' });
let stack: InboundStack;
beforeAll(async () => {
  stack = await startInboundStack();
}, 120_000);
afterAll(async () => stack?.close());

type Row = Record<string, unknown>;
const rowOf = async (id: number): Promise<Row> =>
  (await stack.db.query('SELECT * FROM public.incident_request WHERE id = $1', [id])).rows[0];

/** The row version (PostgreSQL's xmin): it changes with every UPDATE of the row, even one of equal values. */
const rowVersion = async (id: number): Promise<string> =>
  (await stack.db.query('SELECT xmin::text AS v FROM public.incident_request WHERE id = $1', [id])).rows[0].v;

/** The Hasura event for a change the test made to the row: the images as the database holds them. */
async function deliver(op: 'INSERT' | 'UPDATE', old: Row | null, row: Row) {
  const body = hasuraEventBody({ trigger: TRIGGER, op, id: randomUUID(), old, new: row });
  const result = await deliverLikeHasura(body, { url: `${stack.apiUrl}/hasura/events`, secret: HASURA_SECRET });
  return result.attempts.at(-1)?.body as { workflowId: string; ignored?: string; loopGuard?: string };
}

/** A row inserted and its INSERT delivered: the ticket the lifecycle creates for it. */
async function rowWithTicket(id: number) {
  await stack.db.query('INSERT INTO public.incident_request (id, title, status) VALUES ($1, $2, $3)', [
    id,
    `row ${id}`,
    'open',
  ]);
  await deliver('INSERT', null, await rowOf(id));
  const correlationId = rowTicketKey(TRIGGER, 'public.incident_request', id);
  return eventually(() => stack.sim.records().find((r) => r.correlation_id === correlationId), {
    what: `the ticket of row ${id}`,
  });
}

/** The reconciler's runs, oldest first: each sweep's input and, once done, its result. */
async function reconcileRuns() {
  const { client } = stack.temporal;
  const query = `TemporalScheduledById = '${serviceNowReconcileScheduleId(stack.taskQueue)}'`;
  const runs: { input?: ReconcileInput; result?: ReconcileResult; start: number }[] = [];
  for await (const run of client.workflow.list({ query })) {
    const handle = client.workflow.getHandle(run.workflowId, run.runId);
    const history = await handle.fetchHistory();
    const scheduled = history.events?.find(
      (e) => e.activityTaskScheduledEventAttributes,
    )?.activityTaskScheduledEventAttributes;
    const payload = scheduled?.input?.payloads?.[0];
    const input = payload ? defaultPayloadConverter.fromPayload<ReconcileInput>(payload) : undefined;
    const result = run.status.name === 'COMPLETED' ? ((await handle.result()) as ReconcileResult) : undefined;
    runs.push({ input, result, start: run.startTime.getTime() });
  }
  return runs.sort((a, b) => a.start - b.start);
}

const changeResult = (sysId: string, mod: number) =>
  eventually(
    async () => {
      try {
        return (await stack.temporal.client.workflow
          .getHandle(`servicenow-incident-${sysId}-${mod}`)
          .result()) as ServiceNowChangeResult;
      } catch (error) {
        if (/not found/i.test(String(error))) return undefined;
        throw error;
      }
    },
    { what: `the change workflow of ${sysId} at ${mod}` },
  );

let lastInbound: { ticket: Row; resolved: Row; before: Row; after: Row } | undefined;

test('when an agent resolves the ticket, then the row shows it, and nothing flows back to the ticket', async () => {
  const ticket = await rowWithTicket(1);
  stack.sim.configureBusinessRule({
    url: `${stack.apiUrl}/servicenow/events`,
    secret: 'sn-events-secret',
    auth: 'hmac',
  });
  const before = await rowOf(1);
  const resolved = stack.sim.agentUpdate(ticket.sys_id, {
    user: 'ann.agent',
    fields: { state: '6', close_code: 'Solution provided', close_notes: 'Replaced the disk' },
  });
  const written = await changeResult(ticket.sys_id, Number(resolved.sys_mod_count));
  expect(written).toMatchObject({ outcome: 'written', rows: 1, rounds: 1 });
  const after = await rowOf(1);
  expect(after).toMatchObject({ status: 'resolved', resolution: 'Replaced the disk', title: 'row 1' });

  // Nothing looped: the ticket still stands at the agent's change, and the row was written once.
  expect(stack.sim.records().find((r) => r.sys_id === ticket.sys_id)?.sys_mod_count).toBe(resolved.sys_mod_count);
  expect(stack.writer.writes.filter((w) => w.key.id === '1')).toHaveLength(1);
  lastInbound = { ticket, resolved, before, after };
});

// The row write above changed only inbound columns, so the webhook's columns guard knows it as the bridge's own.
test('when Hasura delivers the UPDATE event of that row write, then it is acknowledged and no ticket call is made', async () => {
  if (!lastInbound) throw new Error('runs after the resolve test');
  const { ticket, resolved, before, after } = lastInbound;
  const calls = stack.sim.stats().total;
  const answer = await deliver('UPDATE', before, after);
  expect(answer).toMatchObject({ loopGuard: 'writeback-columns' });
  expect(stack.sim.stats().total).toBe(calls);
  expect(stack.sim.records().find((r) => r.sys_id === ticket.sys_id)?.sys_mod_count).toBe(resolved.sys_mod_count);
});

test('when the bridge itself updates the ticket, then that change flows back as nothing', async () => {
  const ticket = await rowWithTicket(2);
  stack.sim.configureBusinessRule({
    url: `${stack.apiUrl}/servicenow/events`,
    secret: 'sn-events-secret',
    auth: 'hmac',
  });
  const before = await rowOf(2);
  await stack.db.query("UPDATE public.incident_request SET title = 'row 2, renamed' WHERE id = 2");
  await deliver('UPDATE', before, await rowOf(2));
  // The write-back of that UPDATE (the ticket column again) makes a row version of its own: counted from after it.
  const row = stack.temporal.client.workflow.getHandle(`row-${TRIGGER}-public.incident_request-2`);
  await eventually(async () => (await row.query<EventStatus>('status')).writeBack?.action === 'updated' || undefined, {
    what: "the write-back of row 2's UPDATE",
  });
  const version = await rowVersion(2);
  const updated = await eventually(
    () => {
      const record = stack.sim.records().find((r) => r.sys_id === ticket.sys_id);
      return record?.short_description === 'row 2, renamed' ? record : undefined;
    },
    { what: 'the bridge update of the ticket' },
  );
  expect(updated.sys_updated_by).toBe('bridge');
  const result = await changeResult(ticket.sys_id, Number(updated.sys_mod_count));
  expect(result).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining("the bridge's own change") });
  // Written, but only where a value differs: none did, so no row version and no event (xmin is the same).
  expect(result).toMatchObject({ rows: 1, changed: 0 });
  expect(await rowVersion(2)).toBe(version);
});

test('when a signature is bad, then 401 and no change workflow starts', async () => {
  const ticket = await rowWithTicket(3);
  const response = await signedPost(
    stack.apiUrl,
    { table: 'incident', sys_id: ticket.sys_id, sys_mod_count: 9 },
    'guess',
  );
  expect(response.status).toBe(401);
  await expect(
    stack.temporal.client.workflow.getHandle(`servicenow-incident-${ticket.sys_id}-9`).describe(),
  ).rejects.toThrow(/not found/i);
});

test('when the business rule call is dropped, then the reconciler brings the change to the row within one interval', async () => {
  const ticket = await rowWithTicket(4);
  stack.sim.configureBusinessRule({
    url: `${stack.apiUrl}/servicenow/events`,
    secret: 'sn-events-secret',
    dropRate: 1,
  });
  const agent = stack.sim.agentUpdate(ticket.sys_id, { user: 'bob.agent', fields: { state: '2' } });
  expect(stack.sim.businessRuleStats().dropped).toBe(1);
  const intervalMs = 10_000;
  await ensureReconcileSchedule(stack.temporal.client, {
    intervalMs,
    taskQueue: stack.taskQueue,
    logger: silentLogger,
  });
  try {
    // A Schedule fires on interval boundaries: the first sweep comes within one interval, then it runs.
    await eventually(async () => ((await rowOf(4)).status === 'in_progress' ? true : undefined), {
      what: 'the reconciled row',
      timeoutMs: intervalMs + 15_000,
    });
    const result = await changeResult(ticket.sys_id, Number(agent.sys_mod_count));
    expect(result).toMatchObject({ outcome: 'written', rows: 1 });
    // The next sweep starts where the last one stopped (each trigger at its cursor): carried by the Schedule.
    const [first, second] = await eventually(
      async () => {
        const runs = await reconcileRuns();
        return runs.length >= 2 && runs[1].result ? runs : undefined;
      },
      { what: 'two reconciler runs', timeoutMs: intervalMs + 15_000 },
    );
    expect(second.input).toEqual({ since: first.result?.since, cursors: first.result?.cursors });
    // A second worker (or a restart) finds the schedule and leaves one in place.
    await ensureReconcileSchedule(stack.temporal.client, {
      intervalMs,
      taskQueue: stack.taskQueue,
      logger: silentLogger,
    });
    const description = await stack.temporal.client.schedule
      .getHandle(serviceNowReconcileScheduleId(stack.taskQueue))
      .describe();
    expect(description.spec.intervals?.[0].every).toBe(intervalMs);
  } finally {
    await stack.temporal.client.schedule.getHandle(serviceNowReconcileScheduleId(stack.taskQueue)).delete();
  }
});
