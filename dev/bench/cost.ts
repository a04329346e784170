import type { Client } from '@temporalio/client';
import { countActions, sumActions, type ActionCount } from './actions';
import { round, waitFor } from './timing';

/** The server's `action` counter (frontend), summed per action type for one namespace, from its Prometheus page. */
export async function scrapeActionMetric(metricsUrl: string, namespace = 'default'): Promise<Record<string, number>> {
  const text = await (await fetch(metricsUrl)).text();
  const byType: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('action{') || !line.includes(`namespace="${namespace}"`)) continue;
    const type = /action_type="([^"]*)"/.exec(line)?.[1] ?? 'unknown';
    byType[type] = (byType[type] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return byType;
}

const total = (byType: Record<string, number>) => Object.values(byType).reduce((sum, n) => sum + n, 0);

export interface ActionCost {
  incidents: number;
  /** Billable actions per incident by Temporal Cloud's rules, counted from every run's history. */
  perIncident: number;
  byKind: ActionCount['byKind'];
  /** The same runs as the server's `action` metric sees them (its delta over the runs). */
  metricPerIncident: number;
  metricByType: Record<string, number>;
  /**
   * metric ÷ (history count + versioning upserts): the metric also bills the `TemporalChangeVersion` upserts that
   * Cloud exempts, and sees heartbeats and queries that no history holds; 1.00 when nothing else happened.
   */
  metricRatio: number;
}

/** Histories fetched per task queue: every run of a section is the same path, and the fetches load the server. */
const SAMPLE = 60;

/**
 * Waits until the task queue's runs have all closed, then counts the actions of an evenly spread sample of their
 * histories, scaled to all runs.
 */
async function countTaskQueue(client: Client, taskQueue: string, signal?: AbortSignal): Promise<ActionCount> {
  const running = `TaskQueue="${taskQueue}" AND ExecutionStatus="Running"`;
  await waitFor(async () => ((await client.workflow.count(running)).count === 0 ? true : undefined), {
    timeoutMs: 120_000,
    what: `every run of ${taskQueue} closed`,
    intervalMs: 250,
    signal,
  });
  const runs: { workflowId: string; runId: string }[] = [];
  for await (const run of client.workflow.list({ query: `TaskQueue="${taskQueue}"` })) runs.push(run);
  const step = Math.max(1, runs.length / SAMPLE);
  const sample = runs.filter((_, index) => index % step < 1);
  const histories = await Promise.all(
    sample.map((run) => client.workflow.getHandle(run.workflowId, run.runId).fetchHistory()),
  );
  return scaled(
    sumActions(histories.map((history) => countActions(history.events ?? []))),
    runs.length / sample.length,
  );
}

function scaled(count: ActionCount, factor: number): ActionCount {
  const byKind = Object.fromEntries(Object.entries(count.byKind).map(([kind, n]) => [kind, n * factor]));
  const { total, versioningUpserts } = count;
  return {
    total: total * factor,
    byKind: byKind as ActionCount['byKind'],
    versioningUpserts: versioningUpserts * factor,
  };
}

/** Actions per incident over runs on `taskQueue` that produced `incidents`, from histories and from the metric. */
export async function measureCost(options: {
  client: Client;
  taskQueue: string;
  incidents: number;
  metricsUrl: string;
  metricBefore: Record<string, number>;
  signal?: AbortSignal;
}): Promise<ActionCost> {
  const { incidents } = options;
  const counted = await countTaskQueue(options.client, options.taskQueue, options.signal);
  const after = await scrapeActionMetric(options.metricsUrl);
  const metricByType: Record<string, number> = {};
  for (const [type, value] of Object.entries(after)) {
    const delta = value - (options.metricBefore[type] ?? 0);
    if (delta > 0) metricByType[type] = delta;
  }
  const metric = total(metricByType);
  return {
    incidents,
    perIncident: round(counted.total / incidents, 2),
    byKind: counted.byKind,
    metricPerIncident: round(metric / incidents, 2),
    metricByType,
    metricRatio: round(metric / (counted.total + counted.versioningUpserts), 2),
  };
}
