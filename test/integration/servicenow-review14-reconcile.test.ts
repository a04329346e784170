import { MockActivityEnvironment } from '@temporalio/testing';
import { startServiceNowSimulator, type ServiceNowSimulator } from '../../dev/simulator/servicenow/server';
import type { InboundTrigger } from '../../src/activities/inbound-triggers';
import { createReconcileActivities } from '../../src/activities/reconcile';
import { Secret } from '../../src/common/secret';
import type { ReconcileResult, ServiceNowChange } from '../../src/contract';
import { createServiceNowChangeStarter } from '../../src/starting/servicenow-change-starter';
import { createServiceNowTarget } from '../../src/ticketing/servicenow';
import type { TicketTarget } from '../../src/ticketing/ticket-target';
import { sweptTrigger } from '../helpers/sweep-trigger';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { rowTicketKey } from '../helpers/correlation';

/*
 * Review 14 (second, adversarial), the reconciler: failing tests on branch review14; production code unchanged.
 */
const TRIGGER = sweptTrigger('reviewed');
const T0 = Date.parse('2026-03-01T10:00:00Z');

let clock = T0;
let sim: ServiceNowSimulator;
let target: ReturnType<typeof createServiceNowTarget>;
let temporal: TestTemporal;
const startedIds: string[] = [];

beforeAll(async () => {
  sim = await startServiceNowSimulator({ now: () => clock });
  const auth = { type: 'basic' as const, username: 'bridge', password: new Secret('bridge-password') };
  target = createServiceNowTarget({ instanceUrl: sim.url, auth });
  temporal = await connectTestTemporal();
});
afterAll(async () => {
  const terminate = (id: string) => temporal.client.workflow.getHandle(id).terminate('test over');
  await Promise.all([...new Set(startedIds)].map((id) => terminate(id).catch(() => undefined)));
  await target?.close();
  await sim?.close();
  await temporal?.close();
});

function recordingStarter() {
  const starter = createServiceNowChangeStarter({ client: temporal.client, taskQueue: uniqueTaskQueue('review') });
  const changes: ServiceNowChange[] = [];
  const start = async (change: ServiceNowChange) => {
    changes.push(change);
    const started = await starter.start(change);
    if (!started.duplicate) startedIds.push(started.workflowId);
    return started;
  };
  return { start, changes };
}

/**
 * R3: ServiceNow applies `sysparm_limit` before ACLs, and a list read drops the records the user may not read
 * (reference servicenow-table-api.md §2: "applied before ACLs"; "a denied list read is 200 with []"). So a page
 * shorter than the limit is not the end. The sweep takes it for the end (reconcile.ts `page.length < limit`) and
 * the next run starts 60 s before the newest record seen, never before `since`: when that page spans under a
 * minute, every run reads the same page again and the changes after it are never started. Any ServiceNow user
 * can cause it: a correlation_id `<trigger>:...` on an incident the integration user may not read.
 */
test('R3: a page shortened by an ACL is not the end: the changes after it are started (two runs)', async () => {
  for (let i = 0; i < 8; i += 1) {
    await target.create({
      correlationId: rowTicketKey(TRIGGER.name, 'public.t', i),
      fields: { short_description: `row ${i}` },
    });
  }
  clock = T0 + 5_000;
  const records = sim.records().map((r) => sim.agentUpdate(r.sys_id, { fields: { state: '2' } }));
  const hidden = [...records].sort((a, b) => a.sys_id.localeCompare(b.sys_id))[0].sys_id;
  // What the integration user sees: the same query, the record it may not read dropped after the limit.
  const aclFiltered = {
    ...target,
    listUpdatedSince: async (...args: Parameters<typeof target.listUpdatedSince>) =>
      (await target.listUpdatedSince(...args)).filter((r) => r.sys_id !== hidden),
  } as unknown as TicketTarget;
  const starter = recordingStarter();
  const activities = createReconcileActivities(
    { targets: { servicenow: aclFiltered }, startServiceNowChange: starter.start, pageSize: 4, now: () => clock },
    [TRIGGER],
  );
  const run = (since: string) =>
    new MockActivityEnvironment().run(activities.sweepServiceNowChanges, { since }) as Promise<ReconcileResult>;
  const first = await run('2026-03-01 10:00:00');
  clock = T0 + 60_000;
  await run(first.since);
  const visible = records.filter((r) => r.sys_id !== hidden).map((r) => r.sys_id);
  expect(new Set(starter.changes.map((c) => c.sysId))).toEqual(new Set(visible));
});

/**
 * R6: one `since` for every trigger, taken from the newest record any of them read, though each trigger is read
 * at its own time (one after the other). A change of an early trigger's ticket made after that trigger was read,
 * while a later trigger is still being swept, falls before the next run's `since` (newest − 60 s) once the later
 * trigger's sweep outlasts a minute (a backlog: thousands of starts). Neither run reads it: lost to the reconciler.
 */
test("R6: a change of the first trigger's ticket made while the second trigger is swept is started by the next run", async () => {
  sim.reset();
  clock = T0;
  const alpha: InboundTrigger = { ...TRIGGER, name: 'alpha' };
  const beta: InboundTrigger = { ...TRIGGER, name: 'beta' };
  for (const [trigger, i] of [
    [alpha, 0],
    [beta, 1],
    [beta, 2],
  ] as const) {
    await target.create({
      correlationId: rowTicketKey(trigger.name, 'public.t', i),
      fields: { short_description: `row ${i}` },
    });
  }
  clock = T0 + 5_000;
  const [a0, b1, b2] = sim.records().map((r) => sim.agentUpdate(r.sys_id, { fields: { state: '2' } }));
  let late: Record<string, string> | undefined;
  const starter = recordingStarter();
  const start = async (change: ServiceNowChange) => {
    if (!late && change.sysId !== a0.sys_id) {
      // Beta's sweep has begun (alpha's is over): alpha's ticket changes; beta's sweep goes on for minutes.
      clock = T0 + 100_000;
      late = sim.agentUpdate(a0.sys_id, { fields: { state: '3', hold_reason: '1' } });
      clock = T0 + 200_000;
      sim.agentUpdate([b1, b2].find((b) => b.sys_id !== change.sysId)!.sys_id, { fields: { state: '1' } });
    }
    return starter.start(change);
  };
  const activities = createReconcileActivities(
    { targets: { servicenow: target }, startServiceNowChange: start, pageSize: 1, now: () => clock },
    [alpha, beta],
  );
  const run = (since: string) =>
    new MockActivityEnvironment().run(activities.sweepServiceNowChanges, { since }) as Promise<ReconcileResult>;
  const first = await run('2026-03-01 10:00:00');
  clock = T0 + 300_000;
  await run(first.since);
  const started = starter.changes.map((c) => `${c.sysId}@${c.modCount}`);
  expect({ since: first.since, started }).toMatchObject({
    started: expect.arrayContaining([`${late?.sys_id}@${late?.sys_mod_count}`]),
  });
});
