import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createRng } from '../simulator/servicenow/rng';
import { CHAOS_WEBHOOK_SECRET, startChaosStack, type ChaosStack } from './chaos-stack';
import { buildEvents, deliverAll, type ChaosEvent, type DeliveryTally } from './deliveries';
import { planFaults, runFaultPlan, type FaultKind, type FaultLogEntry } from './fault-plan';
import type { ChaosOptions } from './options';
import { waitForQuiescence, type Quiescence } from './quiescence';
import { judge, type ChaosReport } from './report';
import { tallyIncidents } from './tally';
import { packageRoot } from '../../src/package-root';

export interface RunContext {
  signal?: AbortSignal;
  /** One line per phase, for a human watching. */
  progress?: (line: string) => void;
  /** Keep the process logs and the Temporal database even when the run passed. */
  keepWorkDir?: boolean;
}

interface Phases {
  events: ChaosEvent[];
  deliveries: DeliveryTally;
  faultLog: FaultLogEntry[];
  quiescence: Quiescence;
  startedAt: number;
}

export function temporalCliPath(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { resolveTemporalCli } = require(path.join(packageRoot(), 'scripts', 'temporal-cli.js'));
  return resolveTemporalCli({ quiet: true });
}

async function drive(stack: ChaosStack, options: ChaosOptions, context: RunContext): Promise<Phases> {
  const say = context.progress ?? (() => undefined);
  const rng = createRng(options.seed);
  const events = buildEvents(options.events, rng);
  const ingestMs = (options.events / options.eventsPerSecond) * 1000;
  const steps = planFaults({ ...options.faults, ingestMs });
  say(
    `delivering ${events.length} events twice over ~${Math.round(ingestMs / 1000)} s while injecting ${steps.length} faults`,
  );
  const startedAt = Date.now();
  const [deliveries, faultLog] = await Promise.all([
    deliverAll(events, rng, {
      url: stack.webhookUrl,
      secret: CHAOS_WEBHOOK_SECRET,
      eventsPerSecond: options.eventsPerSecond,
      httpPoolSize: options.httpPoolSize,
      retryConf: options.retryConf,
      timeScale: options.hasuraTimeScale,
      signal: context.signal,
    }),
    runFaultPlan(steps, stack, { downMs: options.faults.downMs, signal: context.signal }),
  ]);
  say(`deliveries done (${deliveries.accepted.size} accepted) and faults over; waiting for quiescence`);
  const connection = await Connection.connect({ address: stack.temporal.address });
  try {
    const client = new Client({ connection });
    const quiescence = await waitForQuiescence(client, {
      timeoutMs: options.drainTimeoutMs,
      signal: context.signal,
      progress: say,
    });
    return { events, deliveries, faultLog, quiescence, startedAt };
  } finally {
    await connection.close();
  }
}

function countByKind(log: FaultLogEntry[]): Partial<Record<FaultKind, number>> {
  const byKind: Partial<Record<FaultKind, number>> = {};
  for (const entry of log) if (!entry.error) byKind[entry.kind] = (byKind[entry.kind] ?? 0) + 1;
  return byKind;
}

function buildReport(phases: Phases, stack: ChaosStack, options: ChaosOptions, context: RunContext): ChaosReport {
  const { deliveries, quiescence, faultLog } = phases;
  const incidents = tallyIncidents(
    phases.events,
    deliveries.accepted,
    stack.simulator.records(),
    quiescence.census.parked,
  );
  const stats = stack.simulator.stats();
  const report: Omit<ChaosReport, 'failures'> = {
    startedAt: new Date(phases.startedAt).toISOString(),
    settings: {
      events: options.events,
      eventsPerSecond: options.eventsPerSecond,
      httpPoolSize: options.httpPoolSize,
      seed: options.seed,
      outageMs: options.faults.outageMs,
      hasuraTimeScale: options.hasuraTimeScale,
    },
    events: deliveries.events,
    deliveries: deliveries.deliveries,
    requests: { total: deliveries.requests, byAnswer: deliveries.byAnswer },
    accepted: deliveries.accepted.size,
    neverAccepted: incidents.neverAccepted.length,
    faults: {
      byKind: countByKind(faultLog),
      failedToInject: faultLog.filter((entry) => entry.error).length,
      log: faultLog,
    },
    unplannedExits: { worker: stack.worker.unplannedExits, webhook: stack.webhook.unplannedExits },
    incidents: incidents.incidents,
    exactlyOnce: incidents.exactlyOnce,
    duplicates: { active: incidents.activeDuplicates, cancelled: incidents.cancelledDuplicates },
    lost: incidents.lost,
    parked: incidents.parked,
    stuck: quiescence.census.stuck,
    workflows: quiescence.census.byStatus,
    servicenow: {
      calls: stats.total,
      byStatus: stats.byStatus,
      creates: stats.creates,
      unanswered: stats.creates - (stats.byStatus['201'] ?? 0),
    },
    timings: {
      ingestMs: deliveries.durationMs,
      drainMs: quiescence.waitedMs,
      totalMs: Date.now() - phases.startedAt,
      drained: quiescence.drained,
    },
    aborted: context.signal?.aborted ?? false,
  };
  return { ...report, failures: judge(report) };
}

/**
 * The whole chaos run: start everything, drive events through the faults, wait for quiescence,
 * judge from the simulator's records. Every process it started is stopped before it returns.
 */
export async function runChaos(options: ChaosOptions, context: RunContext = {}): Promise<ChaosReport> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'incident-bridge-chaos-'));
  let report: ChaosReport | undefined;
  try {
    context.progress?.(`starting Temporal, the ServiceNow simulator, the webhook and the worker (work dir ${workDir})`);
    const stack = await startChaosStack({
      cliPath: temporalCliPath(),
      workDir,
      seed: options.seed,
      bridgeEnv: options.bridgeEnv,
    });
    try {
      report = buildReport(await drive(stack, options, context), stack, options, context);
      return report;
    } finally {
      await stack.close();
    }
  } finally {
    if (report && report.failures.length === 0 && !context.keepWorkDir)
      rmSync(workDir, { recursive: true, force: true });
    else if (report) report.workDir = workDir;
  }
}
