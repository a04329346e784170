import { existsSync } from 'node:fs';
import path from 'node:path';
import { DIST } from '../../dev/chaos/chaos-stack';
import { ciRun } from '../../dev/chaos/options';
import { formatReport, type ChaosReport } from '../../dev/chaos/report';
import { runChaos } from '../../dev/chaos/run';

// The webhook and worker run as real processes from the build; `npm test` builds first (pretest).
const BUILT = [
  path.join(DIST, 'api', 'main.js'),
  path.join(DIST, 'worker', 'main.js'),
  path.join(DIST, 'workflow-bundle.js'),
];

let report: ChaosReport;
let run: Promise<ChaosReport> | undefined;
// Should the run outlive its timeout, aborting it still stops every process it started.
const abort = new AbortController();
beforeAll(async () => {
  const missing = BUILT.filter((file) => !existsSync(file));
  if (missing.length) throw new Error(`run \`npm run build\` first: missing ${missing.join(', ')}`);
  run = runChaos(ciRun(100), { signal: abort.signal });
  report = await run;
  console.log(formatReport(report));
}, 240_000);
afterAll(async () => {
  abort.abort();
  await run?.catch(() => undefined);
}, 120_000);

test('when 100 events are each delivered twice through killed processes and a failing ServiceNow, then every accepted event has exactly one incident', () => {
  expect(report.failures).toEqual([]);
  expect(report).toMatchObject({
    events: 100,
    deliveries: 200,
    accepted: 100,
    neverAccepted: 0,
    exactlyOnce: 100,
    lost: [],
    duplicates: { active: 0 },
  });
});

test('when the run has drained, then no workflow is left running, parked or stuck', () => {
  expect(report.timings.drained).toBe(true);
  expect(report.stuck).toEqual([]);
  expect(report.parked).toEqual([]);
  expect(report.workflows).toEqual({ Completed: 100 });
});

test('when the schedule runs, then every kind of fault was injected and ServiceNow really answered with it', () => {
  expect(report.faults).toMatchObject({
    failedToInject: 0,
    byKind: {
      'worker-sigkill': 4,
      'webhook-restart': 2,
      'temporal-sigterm': 1,
      'temporal-sigkill': 1,
      'servicenow-5xx': 1,
      'servicenow-429-storm': 1,
      'servicenow-outage': 1,
      'servicenow-slow-commit': 2,
      'servicenow-delayed-commit': 3,
    },
  });
  const { byStatus, unanswered } = report.servicenow;
  expect(byStatus['429']).toBeGreaterThan(0);
  expect((byStatus['500'] ?? 0) + (byStatus['502'] ?? 0) + (byStatus['504'] ?? 0)).toBeGreaterThan(0);
  expect(byStatus['503']).toBeGreaterThan(0);
  expect(unanswered).toBeGreaterThan(0);
});
