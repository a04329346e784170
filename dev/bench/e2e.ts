import { distScript, spawnNode } from './children';
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
}

/** From the first request to the last accepted event's incident stored by the simulator. */
async function timeIncidents(ctx: SectionContext, load: LoadOptions, latencyMs: number): Promise<IncidentRun> {
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

async function bridgeRuns(ctx: SectionContext, rss: { value: Record<string, number | null> }): Promise<IncidentRun[]> {
  const bridge = await startBridge(ctx.stack, { name: 'e2e', signal: ctx.signal });
  const sampler = sampleRssPeaks([bridge.webhook, ...(bridge.worker ? [bridge.worker] : [])]);
  try {
    const runs: IncidentRun[] = [];
    for (const latencyMs of ctx.config.latenciesMs) {
      runs.push(
        await timeIncidents(
          ctx,
          { kind: 'http', url: bridge.eventsUrl, connections: ctx.config.connections, amount: ctx.config.e2eIncidents },
          latencyMs,
        ),
      );
    }
    return runs;
  } finally {
    rss.value = sampler.stop();
    await bridge.stop();
  }
}

async function ceilingRuns(ctx: SectionContext): Promise<IncidentRun[]> {
  const env = ctx.stack.childEnv(`bench-ceiling-${Date.now()}`);
  const worker = spawnNode(distScript('dev', 'bench', 'trivial-worker.js'), {
    name: 'ceiling-worker',
    env,
    logDir: ctx.stack.workDir,
  });
  try {
    await worker.waitForLog('worker running', { timeoutMs: 60_000, signal: ctx.signal });
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
  } finally {
    await worker.stop();
  }
}

/** Sections 2 and 3: incidents per second through the whole bridge next to a one-activity workflow, and calls per incident. */
export async function runEndToEndSection(ctx: SectionContext): Promise<EndToEndResult> {
  const rss = { value: {} as Record<string, number | null> };
  const bridge = await bridgeRuns(ctx, rss);
  const ceiling = await ceilingRuns(ctx);
  const runs = ctx.config.latenciesMs.map((latencyMs, index) => ({
    latencyMs,
    bridge: bridge[index],
    ceiling: ceiling[index],
    ratio: ratio(bridge[index].incidentsPerSecond, ceiling[index].incidentsPerSecond),
  }));
  return { storage: ctx.stack.storage, runs, rssUnderLoadMb: rss.value };
}
