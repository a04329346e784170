import { distScript, spawnNode } from './children';
import { measureCost, scrapeActionMetric, type ActionCost } from './cost';
import { measureOverhead, postEvent, startTrivial, type Overhead } from './overhead';
import { burstTimeoutMs, runLoad } from './load';
import { sampleRssPeaks } from './rss';
import type { LoadOptions, LoadResult } from './load-types';
import type { SectionContext } from './section';
import { startBridge } from './stack';
import { ratio, round, waitFor } from './timing';

export interface IncidentRun {
  incidents: number;
  seconds: number;
  incidentsPerSecond: number;
  /** How the POSTs (bridge) or starts (ceiling) themselves went. */
  ingest: LoadResult;
  /** ServiceNow calls the simulator counted (Table API and token requests) per incident created. */
  callsPerIncident: number;
}

export interface EndToEndAtLatency {
  latencyMs: number;
  bridge: IncidentRun;
  ceiling: IncidentRun;
  ratio: number;
}

export interface EndToEndResult {
  storage: string;
  runs: EndToEndAtLatency[];
  /** Peak RSS of the bridge's processes while these incidents went through. */
  rssUnderLoadMb: Record<string, number | null>;
  /** Billable Temporal actions per incident over all latencies: the bridge's, and the one-activity workflow's. */
  actions: { bridge: ActionCost; ceiling: ActionCost };
  /** POST → incident stored minus the simulated latency, at 50 % of each side's own measured throughput. */
  overhead: { bridge: Overhead; floor: Overhead };
}

type Costed = { runs: IncidentRun[]; cost: ActionCost; overhead: Overhead };

/** Half of what the last (highest-latency) run measured: "50 % of saturation" for the overhead section. */
function halfSaturation(ctx: SectionContext, runs: IncidentRun[]): { ratePerSecond: number; latencyMs: number } {
  const last = runs.length - 1;
  return { ratePerSecond: runs[last].incidentsPerSecond / 2, latencyMs: ctx.config.latenciesMs[last] };
}

/** Runs `body` and prices its incidents: histories of the task queue's runs, and the server's `action` metric. */
async function priced(
  ctx: SectionContext,
  taskQueue: string,
  body: () => Promise<IncidentRun[]>,
): Promise<Omit<Costed, 'overhead'>> {
  const metricsUrl = ctx.stack.temporalMetricsUrl;
  const metricBefore = await scrapeActionMetric(metricsUrl);
  const runs = await body();
  const incidents = runs.reduce((sum, run) => sum + run.incidents, 0);
  const { client } = ctx.stack;
  return {
    runs,
    cost: await measureCost({ client, taskQueue, incidents, metricsUrl, metricBefore, signal: ctx.signal }),
  };
}

/** From the first request to the last accepted event's incident stored by the simulator. */
export async function timeIncidents(ctx: SectionContext, load: LoadOptions, latencyMs: number): Promise<IncidentRun> {
  const { simulator } = ctx.stack;
  simulator.reset();
  simulator.setFaults({ latencyMs });
  const started = Date.now();
  const timeoutMs = burstTimeoutMs({ amount: load.amount }, 100 + latencyMs);
  const ingest = await runLoad(load, { timeoutMs, signal: ctx.signal });
  // A start Temporal refused (503) never becomes an incident: Hasura would redeliver it later.
  const incidents = ingest.ok;
  await waitFor(() => (simulator.stats().creates >= incidents ? true : undefined), {
    timeoutMs,
    what: `${incidents} incidents`,
    intervalMs: 20,
    signal: ctx.signal,
  });
  const seconds = (Date.now() - started) / 1000;
  const stats = simulator.stats();
  return {
    incidents,
    seconds: round(seconds, 2),
    incidentsPerSecond: round(incidents / seconds),
    ingest,
    callsPerIncident: round(stats.total / stats.creates, 2),
  };
}

async function bridgeRuns(ctx: SectionContext, rss: { value: Record<string, number | null> }): Promise<Costed> {
  const bridge = await startBridge(ctx.stack, { name: 'e2e', signal: ctx.signal });
  const sampler = sampleRssPeaks([bridge.webhook, ...(bridge.worker ? [bridge.worker] : [])]);
  try {
    const costed = await priced(ctx, bridge.taskQueue, () => bridgeLatencies(ctx, bridge.eventsUrl));
    // After pricing, so these incidents are not counted as the priced runs' actions.
    const overhead = await measureOverhead(ctx, postEvent(bridge.eventsUrl), halfSaturation(ctx, costed.runs));
    return { ...costed, overhead };
  } finally {
    rss.value = sampler.stop();
    await bridge.stop();
  }
}

async function bridgeLatencies(ctx: SectionContext, url: string): Promise<IncidentRun[]> {
  const runs: IncidentRun[] = [];
  for (const latencyMs of ctx.config.latenciesMs) {
    runs.push(
      await timeIncidents(
        ctx,
        { kind: 'http', url, connections: ctx.config.connections, amount: ctx.config.e2eIncidents },
        latencyMs,
      ),
    );
  }
  return runs;
}

async function ceilingRuns(ctx: SectionContext): Promise<Costed> {
  const taskQueue = `bench-ceiling-${Date.now()}`;
  const env = ctx.stack.childEnv(taskQueue);
  const worker = spawnNode(distScript('dev', 'bench', 'trivial-worker.js'), {
    name: 'ceiling-worker',
    env,
    logDir: ctx.stack.workDir,
  });
  try {
    await worker.waitForLog('worker running', { timeoutMs: 60_000, signal: ctx.signal });
    const costed = await priced(ctx, taskQueue, () => ceilingLatencies(ctx, env));
    const send = startTrivial(ctx.stack.client, taskQueue);
    return { ...costed, overhead: await measureOverhead(ctx, send, halfSaturation(ctx, costed.runs)) };
  } finally {
    await worker.stop();
  }
}

async function ceilingLatencies(ctx: SectionContext, env: NodeJS.ProcessEnv): Promise<IncidentRun[]> {
  const runs: IncidentRun[] = [];
  for (const latencyMs of ctx.config.latenciesMs) {
    runs.push(
      await timeIncidents(
        ctx,
        {
          kind: 'starts',
          workflow: 'trivial',
          env,
          connections: ctx.config.connections,
          amount: ctx.config.e2eIncidents,
        },
        latencyMs,
      ),
    );
  }
  return runs;
}

/** Sections 2 and 3: incidents per second through the whole bridge next to a one-activity workflow, and calls per incident. */
export async function runEndToEndSection(ctx: SectionContext): Promise<EndToEndResult> {
  const rss = { value: {} as Record<string, number | null> };
  const bridge = await bridgeRuns(ctx, rss);
  const ceiling = await ceilingRuns(ctx);
  const runs = ctx.config.latenciesMs.map((latencyMs, index) => ({
    latencyMs,
    bridge: bridge.runs[index],
    ceiling: ceiling.runs[index],
    ratio: ratio(bridge.runs[index].incidentsPerSecond, ceiling.runs[index].incidentsPerSecond),
  }));
  const actions = { bridge: bridge.cost, ceiling: ceiling.cost };
  const overhead = { bridge: bridge.overhead, floor: ceiling.overhead };
  return { storage: ctx.stack.storage, runs, rssUnderLoadMb: rss.value, actions, overhead };
}
