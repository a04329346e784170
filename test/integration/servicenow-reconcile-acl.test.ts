import { MockActivityEnvironment } from '@temporalio/testing';
import { startServiceNowSimulator, type ServiceNowSimulator } from '../../dev/simulator/servicenow/server';
import type { InboundTrigger } from '../../src/activities/inbound-triggers';
import { createReconcileActivities } from '../../src/activities/reconcile';
import { Secret } from '../../src/common/secret';
import type { ReconcileInput, ReconcileResult, ServiceNowChange } from '../../src/contract';
import { createServiceNowChangeStarter } from '../../src/starting/servicenow-change-starter';
import { createServiceNowTarget } from '../../src/ticketing/servicenow';
import { sweptTrigger, ticketChanger } from '../helpers/sweep-trigger';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';

/*
 * The sweep against records the integration user may not read (review 14 R3), over real HTTP: the simulator
 * applies sysparm_limit before its read ACL and counts the hidden records in X-Total-Count and Link, as
 * ServiceNow does. And each trigger's own cursor (R6).
 */
const TRIGGER = sweptTrigger('acl');
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
beforeEach(() => {
  sim.reset();
  clock = T0;
});

function sweeper(triggers: InboundTrigger[], pageSize: number) {
  const starter = createServiceNowChangeStarter({ client: temporal.client, taskQueue: uniqueTaskQueue('acl') });
  const changes: ServiceNowChange[] = [];
  const start = async (change: ServiceNowChange) => {
    changes.push(change);
    const started = await starter.start(change);
    if (!started.duplicate) startedIds.push(started.workflowId);
    return started;
  };
  const activities = createReconcileActivities(
    { targets: { servicenow: target }, startServiceNowChange: start, pageSize, now: () => clock },
    triggers,
  );
  const run = (input: ReconcileInput) =>
    new MockActivityEnvironment().run(activities.sweepServiceNowChanges, input) as Promise<ReconcileResult>;
  return { run, changes };
}

const changedTicket = ticketChanger(
  () => sim,
  () => target,
  (at) => (clock = at),
);

test('pages the ACL empties are passed over: the readable changes after them are started in one run', async () => {
  const records = [];
  for (let i = 0; i < 7; i += 1) records.push(await changedTicket(TRIGGER, i, T0 + i * 1000));
  // Two whole pages of two the integration user may not read, then one readable record hidden amid a page.
  for (const i of [0, 1, 2, 3, 5]) sim.denyRead(records[i].sys_id);
  const { run, changes } = sweeper([TRIGGER], 2);
  const result = await run({ since: '2026-03-01 09:59:00' });
  expect(changes.map((c) => c.sysId)).toEqual([records[4].sys_id, records[6].sys_id]);
  expect(result).toMatchObject({ seen: 2, started: 2 });
});

test('each trigger keeps its own cursor; a result without cursors starts every trigger at its since', async () => {
  const quiet: InboundTrigger = { ...TRIGGER, name: 'quiet' };
  const busy = await changedTicket(TRIGGER, 0, T0 + 300_000);
  const { run, changes } = sweeper([quiet, TRIGGER], 5);
  const old = await run({ since: '2026-03-01 10:00:00' });
  expect(changes.map((c) => c.sysId)).toEqual([busy.sys_id]);
  expect(old.cursors).toEqual({ quiet: '2026-03-01 10:00:00', acl: '2026-03-01 10:04:00' });
  expect(old.since).toBe('2026-03-01 10:00:00');
  // A change of quiet's ticket dated before acl's cursor (a late commit): its own cursor still reads it.
  const late = await changedTicket(quiet, 1, T0 + 100_000);
  await run({ since: old.since, cursors: old.cursors });
  expect(changes.slice(1).map((c) => c.sysId)).toContain(late.sys_id);
});
