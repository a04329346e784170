import { existsSync } from 'node:fs';
import path from 'node:path';
import { DIST } from '../../dev/chaos/chaos-stack';
import { describeOnCluster } from './gate';
import { removeWorkDir, runClusterChaos, SERVER_RESTART, WORKER_KILL, type ClusterChaosReport } from './cluster-chaos';

// The webhooks and workers run as real processes from the build (`npm run test:cluster` builds first).
const BUILT = ['api/main.js', 'worker/main.js', 'workflow-bundle.js'].map((file) => path.join(DIST, file));
const EVENTS = 80;

describeOnCluster('chaos on the PostgreSQL-backed Temporal server, two webhooks and two workers', () => {
  let report: ClusterChaosReport;
  beforeAll(async () => {
    const missing = BUILT.filter((file) => !existsSync(file));
    if (missing.length) throw new Error(`run \`npm run build\` first: missing ${missing.join(', ')}`);
    report = await runClusterChaos({ events: EVENTS, eventsPerSecond: 4, cliPath: process.env.TEMPORAL_CLI_PATH! });
    const { tally, quiescence, faults, deliveries } = report;
    console.log(
      JSON.stringify({
        faults,
        byWebhook: deliveries.map((d) => d.byAnswer),
        exactlyOnce: tally.exactlyOnce,
        cancelledDuplicates: tally.cancelledDuplicates,
        workflows: quiescence.census.byStatus,
        drainMs: quiescence.waitedMs,
      }),
    );
  }, 300_000);
  // The process and server logs stay only when the promise broke, for the post-mortem.
  afterAll(() => {
    if (!report) return;
    const { tally, quiescence } = report;
    if (!tally.lost.length && !tally.activeDuplicates && quiescence.drained) removeWorkDir(report);
    else console.log(`cluster chaos logs kept in ${report.workDir}`);
  });

  test('when a worker is SIGKILLed and the server crashes mid-run, then each accepted event has one incident', () => {
    expect(report.faults.filter((fault) => fault.error)).toEqual([]);
    expect(report.faults.map((fault) => fault.fault)).toEqual([WORKER_KILL, SERVER_RESTART]);
    expect(report.tally).toMatchObject({
      neverAccepted: [],
      lost: [],
      parked: [],
      activeDuplicates: 0,
      exactlyOnce: EVENTS,
    });
    expect(report.accepted).toBe(EVENTS);
  });

  test('when every event reached both webhooks twice, then both accepted events and the outage got 503s', () => {
    for (const tally of report.deliveries) {
      expect(tally.deliveries).toBe(EVENTS * 2);
      expect(tally.byAnswer['200']).toBeGreaterThan(0);
    }
    // Hasura retried those (503 + Retry-After) until the restarted server took them.
    expect(report.deliveries.reduce((sum, tally) => sum + (tally.byAnswer['503'] ?? 0), 0)).toBeGreaterThan(0);
  });

  test('when the run has drained, then no workflow is left running, parked or stuck', () => {
    expect(report.quiescence.drained).toBe(true);
    expect(report.quiescence.census).toMatchObject({ parked: [], stuck: [], byStatus: { Completed: EVENTS } });
    expect(report.unplannedExits).toBe(0);
  });
});
