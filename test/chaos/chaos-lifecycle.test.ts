import { existsSync } from 'node:fs';
import path from 'node:path';
import { DIST } from '../../dev/chaos/chaos-stack';
import { lifecycleCiRun } from '../../dev/chaos/lifecycle/options';
import { formatLifecycleReport, runLifecycleChaos, type LifecycleChaosReport } from '../../dev/chaos/lifecycle/run';

// The webhook and worker run as real processes from the build; `npm test` builds first (pretest).
const BUILT = [path.join(DIST, 'api', 'main.js'), path.join(DIST, 'worker', 'main.js')];

let report: LifecycleChaosReport;
let run: Promise<LifecycleChaosReport> | undefined;
const abort = new AbortController();
beforeAll(async () => {
  const missing = BUILT.filter((file) => !existsSync(file));
  if (missing.length) throw new Error(`run \`npm run build\` first: missing ${missing.join(', ')}`);
  run = runLifecycleChaos(lifecycleCiRun(), { signal: abort.signal });
  report = await run;
  console.log(formatLifecycleReport(report));
}, 240_000);
afterAll(async () => {
  abort.abort();
  await run?.catch(() => undefined);
}, 120_000);

test('when real PostgreSQL row histories are delivered shuffled and twice while the worker is SIGKILLed, then every row’s ticket ends as the row ended', () => {
  expect(report.failures).toEqual([]);
  expect(report.rows).toMatchObject({ rows: 12, right: 12, wrong: [] });
  expect(report.accepted).toBe(report.events);
  expect(report.deliveries).toBe(2 * report.events);
});

test('when the histories are captured, then they hold every pattern the ordering must survive', () => {
  // 12 rows in six patterns, two each: deleted at the end (UPDATE+DELETE in one transaction, and plainly), re-inserted.
  expect(report.rows.deleted).toBe(4);
  expect(report.rows.reborn).toBe(2);
  expect(report.events).toBeGreaterThan(12 * 3);
  expect(report.shape.sameTransaction).toBeGreaterThan(0);
  expect(report.shape.beganFirstWroteLast).toBeGreaterThan(0);
  expect(report.shape.keysPast2To53).toBe(6);
});

test('when the run has drained, then no workflow is left open: every row workflow finished idle', () => {
  expect(report.timings.drained).toBe(true);
  expect(report.stuck).toEqual([]);
  expect(report.parked).toEqual([]);
  expect(Object.keys(report.workflows)).toEqual(['Completed']);
});

test('when the schedule runs, then the worker was SIGKILLed and the webhook restarted', () => {
  expect(report.faults).toMatchObject({ 'worker-sigkill': 4, 'webhook-restart': 2 });
});
