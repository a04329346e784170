import { ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { startServiceNowSimulator, type ServiceNowSimulator } from '../../dev/simulator/servicenow/server';
import { createReconcileActivities, type ReconcileDeps } from '../../src/activities/reconcile';
import { Secret } from '../../src/common/secret';
import { LEGACY_RECONCILE_SCHEDULE_ID, serviceNowReconcileScheduleId } from '../../src/contract';
import type { ReconcileResult, ServiceNowChange } from '../../src/contract';
import { createLogger } from '../../src/logging';
import { createServiceNowChangeStarter } from '../../src/starting/servicenow-change-starter';
import { createServiceNowTarget } from '../../src/ticketing/servicenow';
import { ensureReconcileSchedule } from '../../src/worker/reconcile-schedule';
import { sweptTrigger } from '../helpers/sweep-trigger';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { rowTicketKey } from '../helpers/correlation';

/*
 * The reconciler's sweep against the simulator over real HTTP, starting real workflows on the dev server
 * (a task queue no worker polls: what a sweep starts is the point, not what the workflows then do).
 */
const TRIGGER = sweptTrigger('reconciled');
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
  // Nothing polls their queue: they would stay open on the shared dev server (one may have ended: a test's retry).
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

/** `count` of the bridge's tickets, each then changed by an agent at `at`: all in one second. */
async function ticketsChangedAt(count: number, at: number) {
  for (let i = 0; i < count; i += 1) {
    await target.create({
      correlationId: rowTicketKey(TRIGGER.name, 'public.t', i),
      fields: { short_description: `row ${i}` },
    });
  }
  clock = at;
  return sim.records().map((r) => sim.agentUpdate(r.sys_id, { fields: { state: '2' } }));
}

/** The real starter, remembering what it was asked to start; `during` runs before a start goes out. */
function recordingStarter(during?: (change: ServiceNowChange) => void) {
  const starter = createServiceNowChangeStarter({ client: temporal.client, taskQueue: uniqueTaskQueue('sweep') });
  const changes: ServiceNowChange[] = [];
  const start = async (change: ServiceNowChange) => {
    during?.(change);
    changes.push(change);
    const started = await starter.start(change);
    if (!started.duplicate) startedIds.push(started.workflowId);
    return started;
  };
  return { start, changes };
}

function sweep(deps: Omit<ReconcileDeps, 'targets'>, since: string, env = new MockActivityEnvironment()) {
  const activities = createReconcileActivities({ ...deps, targets: { servicenow: target } }, [TRIGGER]);
  return env.run(activities.sweepServiceNowChanges, { since }) as Promise<ReconcileResult>;
}

const changeOf = (record: Record<string, string>) => `${record.sys_id}@${record.sys_mod_count}`;

test('when records of one second outnumber a page and one changes mid-sweep, then every current change is started', async () => {
  const records = await ticketsChangedAt(7, T0 + 5_000);
  const bySysId = [...records].sort((a, b) => a.sys_id.localeCompare(b.sys_id));
  let moved: Record<string, string> | undefined;
  const starter = recordingStarter(() => {
    // After the first page's first start, its first record changes again: it moves to the sweep's end.
    if (moved) return;
    clock = T0 + 9_000;
    moved = sim.agentUpdate(bySysId[0].sys_id, { fields: { state: '3', hold_reason: '1' } });
  });
  await sweep({ startServiceNowChange: starter.start, pageSize: 2 }, '2026-03-01 10:00:00');
  const current = sim.records().map(changeOf);
  const started = starter.changes.map((c) => `${c.sysId}@${c.modCount}`);
  expect(moved).toBeDefined();
  expect(started).toEqual(expect.arrayContaining(current));
});

test('when an attempt fails mid-sweep, then the retried attempt resumes from its heartbeat, not from the start', async () => {
  await ticketsChangedAt(6, T0 + 5_000);
  let calls = 0;
  const failing = recordingStarter(() => {
    calls += 1;
    if (calls === 4) throw new Error('Temporal went away');
  });
  const first = new MockActivityEnvironment();
  const heartbeats: unknown[] = [];
  first.on('heartbeat', (details: unknown) => heartbeats.push(details));
  await expect(
    sweep({ startServiceNowChange: failing.start, pageSize: 2 }, '2026-03-01 10:00:00', first),
  ).rejects.toThrow('Temporal went away');
  const doneBefore = failing.changes.map((c) => c.sysId);
  expect(doneBefore).toHaveLength(3);

  const retried = recordingStarter();
  const second = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: heartbeats.at(-1) });
  const result = await sweep({ startServiceNowChange: retried.start, pageSize: 2 }, '2026-03-01 10:00:00', second);
  const doneAfter = retried.changes.map((c) => c.sysId);
  expect(doneAfter.filter((id) => doneBefore.includes(id))).toEqual([]);
  expect(new Set([...doneBefore, ...doneAfter])).toEqual(new Set(sim.records().map((r) => r.sys_id)));
  expect(result.seen).toBe(6);
});

test('when the backlog is larger than one run may take, then the run stops at a second boundary and the next run continues', async () => {
  const early = await ticketsChangedAt(3, T0 + 5_000);
  clock = T0 + 7_000;
  for (let i = 3; i < 6; i += 1) {
    await target.create({
      correlationId: rowTicketKey(TRIGGER.name, 'public.t', i),
      fields: { short_description: `row ${i}` },
    });
  }
  clock = T0 + 8_000;
  const late = sim
    .records()
    .filter((r) => !early.some((e) => e.sys_id === r.sys_id))
    .map((r) => sim.agentUpdate(r.sys_id, { fields: { state: '2' } }));
  const limits = { pageSize: 2, maxRecords: 2, now: () => T0 + 3_600_000 };
  const firstRun = recordingStarter();
  const first = await sweep({ ...limits, startServiceNowChange: firstRun.start }, '2026-03-01 10:00:00');
  // Two records reach the cap; the third is of the same second: the run finishes that second, then stops.
  expect(firstRun.changes.map((c) => c.sysId).sort()).toEqual(early.map((r) => r.sys_id).sort());
  expect(first.since).toBe('2026-03-01 10:00:08');

  const nextRun = recordingStarter();
  const next = await sweep({ ...limits, startServiceNowChange: nextRun.start }, first.since);
  expect(nextRun.changes.map((c) => c.sysId).sort()).toEqual(late.map((r) => r.sys_id).sort());
  expect(next.since).toBe('2026-03-01 10:00:08');
});

describe('the Schedule', () => {
  const logger = createLogger({ level: 'silent' });
  const scheduleOf = (taskQueue: string) =>
    temporal.client.schedule.getHandle(serviceNowReconcileScheduleId(taskQueue));

  test('when two deployments share a namespace, then each keeps its own Schedule, and runs never pile up', async () => {
    const [a, b] = [uniqueTaskQueue('deploy-a'), uniqueTaskQueue('deploy-b')];
    await ensureReconcileSchedule(temporal.client, { intervalMs: 60_000, taskQueue: a, logger });
    await ensureReconcileSchedule(temporal.client, { intervalMs: 120_000, taskQueue: b, logger });
    try {
      const [ofA, ofB] = await Promise.all([scheduleOf(a).describe(), scheduleOf(b).describe()]);
      expect(ofA.action).toMatchObject({ type: 'startWorkflow', taskQueue: a });
      expect(ofA.spec.intervals?.[0].every).toBe(60_000);
      expect(ofB.action).toMatchObject({ type: 'startWorkflow', taskQueue: b });
      expect(ofA.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    } finally {
      await Promise.all([scheduleOf(a).delete(), scheduleOf(b).delete()]);
    }
  });

  test('when the old shared Schedule drives this queue, then the upgrade replaces it; one for another queue is kept', async () => {
    const legacy = temporal.client.schedule.getHandle(LEGACY_RECONCILE_SCHEDULE_ID);
    const [mine, theirs] = [uniqueTaskQueue('upgraded'), uniqueTaskQueue('not-yet')];
    const legacyFor = (taskQueue: string) =>
      temporal.client.schedule.create({
        scheduleId: LEGACY_RECONCILE_SCHEDULE_ID,
        spec: { intervals: [{ every: 60_000 }] },
        action: { type: 'startWorkflow', workflowType: 'servicenowReconcileWorkflow', taskQueue, args: [] },
      });
    await legacyFor(theirs);
    await ensureReconcileSchedule(temporal.client, { intervalMs: 60_000, taskQueue: mine, logger });
    expect((await legacy.describe()).action).toMatchObject({ taskQueue: theirs });
    await legacy.delete();
    await legacyFor(mine);
    await ensureReconcileSchedule(temporal.client, { intervalMs: 60_000, taskQueue: mine, logger });
    await expect(legacy.describe()).rejects.toThrow(ScheduleNotFoundError);
    expect((await scheduleOf(mine).describe()).action).toMatchObject({ taskQueue: mine });
    await scheduleOf(mine).delete();
  });
});

test('when a change without sys_mod_count arrives while such a run is going, then it gets a run of its own', async () => {
  // No worker polls this queue: the first run stays open, as one still writing its row would.
  const starter = recordingStarter();
  const change = { table: 'incident', sysId: 'a'.repeat(32) };
  const first = await starter.start(change);
  const second = await starter.start(change);
  expect(second.duplicate).toBe(false);
  expect(second.workflowId).not.toBe(first.workflowId);
  const running = await temporal.client.workflow.getHandle(first.workflowId).describe();
  expect(running.status.name).toBe('RUNNING');
});
