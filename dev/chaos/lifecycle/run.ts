import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createEventMapper } from '../../../src/mapping/mapper';
import { packageRoot } from '../../../src/package-root';
import { loadBridgeConfig } from '../../../src/settings/file/load';
import { createRng } from '../../simulator/servicenow/rng';
import { CHAOS_WEBHOOK_SECRET, startChaosStack } from '../chaos-stack';
import { deliverAll } from '../deliveries';
import { planFaults, runFaultPlan, type FaultKind } from '../fault-plan';
import type { ChaosOptions } from '../options';
import { waitForQuiescence } from '../quiescence';
import { temporalCliPath, type RunContext } from '../run';
import { captureRowHistories } from './row-histories';
import { historyShape, lifecycleEvents, tallyRows, type RowTally } from './row-tally';

// From the source tree: `npm run chaos` runs the compiled copy, which has no YAML next to it.
export const LIFECYCLE_CONFIG = path.join(packageRoot(), 'dev', 'chaos', 'lifecycle.yaml');
/** What lifecycle.yaml's `correlation.secret` names: a throwaway secret for the run's own stack. */
export const CHAOS_CORRELATION_ENV = { BRIDGE_CORRELATION_SECRET: 'chaos-run-correlation-secret-0123456789' };

export interface LifecycleChaosOptions {
  /** Rows whose lives are written to PostgreSQL (six transaction patterns, round robin). */
  rows: number;
  /** Updates of each many-updates row. */
  updates: number;
  chaos: ChaosOptions;
  /** The fault plan's steps of these kinds (all when absent). */
  faultKinds?: FaultKind[];
}

export interface LifecycleChaosReport {
  settings: { rows: number; updates: number; seed: number; eventsPerSecond: number };
  events: number;
  /** Changes of one transaction (equal created_at), transactions that began first and wrote last, bigint keys. */
  shape: ReturnType<typeof historyShape>;
  deliveries: number;
  accepted: number;
  faults: Partial<Record<FaultKind, number>>;
  rows: RowTally;
  workflows: Record<string, number>;
  parked: string[];
  stuck: string[];
  servicenowCalls: number;
  timings: { captureMs: number; ingestMs: number; drainMs: number; drained: boolean };
  failures: string[];
  workDir?: string;
}

/** Row workflows finish after this without events, so the run drains to no open workflow at all. */
const ROW_IDLE = '10s';

function judge(report: Omit<LifecycleChaosReport, 'failures'>): string[] {
  const failures = report.rows.wrong.slice(0, 20);
  if (report.rows.wrong.length > 20) failures.push(`… ${report.rows.wrong.length - 20} more rows wrong`);
  if (report.accepted !== report.events) failures.push(`${report.events - report.accepted} event(s) never accepted`);
  if (!report.timings.drained) failures.push('not quiescent: workflows still open');
  if (report.parked.length) failures.push(`${report.parked.length} parked, e.g. ${report.parked[0]}`);
  if (report.stuck.length) failures.push(`${report.stuck.length} stuck, e.g. ${report.stuck[0]}`);
  return failures;
}

/**
 * Lifecycle chaos: rows live in a real PostgreSQL with a Hasura-style trigger (same-transaction changes,
 * a transaction that began first and wrote last, re-inserts, bigint keys past 2^53); the captured events
 * are delivered shuffled and twice through the real webhook while the fault plan kills the worker; then
 * every row's ticket must be as the row ended.
 */
export async function runLifecycleChaos(
  options: LifecycleChaosOptions,
  context: RunContext = {},
): Promise<LifecycleChaosReport> {
  const say = context.progress ?? (() => undefined);
  const captureStarted = Date.now();
  const histories = await captureRowHistories(options.rows, options.updates);
  const captureMs = Date.now() - captureStarted;
  const events = lifecycleEvents(histories);
  const { chaos } = options;
  say(`PostgreSQL wrote ${events.length} changes of ${options.rows} rows; starting the stack`);
  const workDir = mkdtempSync(path.join(tmpdir(), 'incident-bridge-lifecycle-chaos-'));
  const bridgeEnv = { ...chaos.bridgeEnv, ...CHAOS_CORRELATION_ENV, BRIDGE_CONFIG: LIFECYCLE_CONFIG, ROW_IDLE };
  const stack = await startChaosStack({ cliPath: temporalCliPath(), workDir, seed: chaos.seed, bridgeEnv });
  let report: LifecycleChaosReport | undefined;
  try {
    const rng = createRng(chaos.seed);
    const ingestMs = (events.length / chaos.eventsPerSecond) * 1000;
    const steps = planFaults({ ...chaos.faults, ingestMs }).filter(
      (step) => !options.faultKinds || options.faultKinds.includes(step.kind),
    );
    say(`delivering ${events.length} events twice over ~${Math.round(ingestMs / 1000)} s with ${steps.length} faults`);
    const plan = {
      url: stack.webhookUrl,
      secret: CHAOS_WEBHOOK_SECRET,
      eventsPerSecond: chaos.eventsPerSecond,
      httpPoolSize: chaos.httpPoolSize,
      retryConf: chaos.retryConf,
      timeScale: chaos.hasuraTimeScale,
      signal: context.signal,
    };
    const [deliveries, faultLog] = await Promise.all([
      deliverAll(events, rng, plan),
      runFaultPlan(steps, stack, { downMs: chaos.faults.downMs, signal: context.signal }),
    ]);
    say('deliveries done and faults over; waiting until every row workflow has finished idle');
    const connection = await Connection.connect({ address: stack.temporal.address });
    const quiescence = await waitForQuiescence(new Client({ connection }), {
      timeoutMs: chaos.drainTimeoutMs,
      signal: context.signal,
      progress: say,
    }).finally(() => connection.close());
    // Only the mapping is used: the expected fields are rendered by the worker's own mapper.
    const env = {
      ...{ SERVICENOW_INSTANCE_URL: stack.simulator.url, SERVICENOW_USERNAME: 'x', SERVICENOW_PASSWORD: 'x' },
      ...CHAOS_CORRELATION_ENV,
    };
    const config = loadBridgeConfig({ env, path: LIFECYCLE_CONFIG });
    const rows = await tallyRows(histories, stack.simulator.records(), createEventMapper(config), config.correlation);
    const faults: Partial<Record<FaultKind, number>> = {};
    for (const entry of faultLog) if (!entry.error) faults[entry.kind] = (faults[entry.kind] ?? 0) + 1;
    const measured = {
      settings: {
        rows: options.rows,
        updates: options.updates,
        seed: chaos.seed,
        eventsPerSecond: chaos.eventsPerSecond,
      },
      events: events.length,
      shape: historyShape(histories),
      deliveries: deliveries.deliveries,
      accepted: deliveries.accepted.size,
      faults,
      rows,
      workflows: quiescence.census.byStatus,
      parked: quiescence.census.parked,
      stuck: quiescence.census.stuck,
      servicenowCalls: stack.simulator.stats().total,
      timings: {
        captureMs,
        ingestMs: deliveries.durationMs,
        drainMs: quiescence.waitedMs,
        drained: quiescence.drained,
      },
    };
    report = { ...measured, failures: judge(measured) };
    return report;
  } finally {
    await stack.close();
    if (report?.failures.length === 0 && !context.keepWorkDir) rmSync(workDir, { recursive: true, force: true });
    else if (report) report.workDir = workDir;
  }
}

export function formatLifecycleReport(report: LifecycleChaosReport): string {
  const { rows, timings } = report;
  const faults = Object.entries(report.faults)
    .map(([kind, count]) => `${kind} ×${count}`)
    .join(', ');
  return [
    `lifecycle chaos: ${rows.rows} rows (${rows.deleted} deleted, ${rows.reborn} re-inserted), ${report.events} events, ` +
      `${report.deliveries} deliveries (${report.accepted} events accepted)`,
    `history: ${JSON.stringify(report.shape)}`,
    `faults: ${faults || 'none'}`,
    `rows whose ticket is as the row ended: ${rows.right} / ${rows.rows}; cancelled duplicates ${rows.cancelledDuplicates}`,
    `workflows: ${JSON.stringify(report.workflows)}; ServiceNow calls ${report.servicenowCalls}`,
    `capture ${timings.captureMs} ms, ingest ${Math.round(timings.ingestMs / 1000)} s, drain ${Math.round(timings.drainMs / 1000)} s`,
    report.failures.length ? `FAILED:\n  ${report.failures.join('\n  ')}` : 'PASSED',
  ].join('\n');
}
