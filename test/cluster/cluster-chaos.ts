import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { bridgeProcessEnv, CHAOS_WEBHOOK_SECRET, webhookService, workerService } from '../../dev/chaos/chaos-stack';
import { buildEvents, deliverAll, type ChaosEvent, type DeliveryTally } from '../../dev/chaos/deliveries';
import type { NodeService } from '../../dev/chaos/node-service';
import { ciRun } from '../../dev/chaos/options';
import { waitForQuiescence, type Quiescence } from '../../dev/chaos/quiescence';
import { tallyIncidents, type IncidentTally } from '../../dev/chaos/tally';
import { createRng } from '../../dev/simulator/servicenow/rng';
import { startServiceNowSimulator, type ServiceNowSimulator } from '../../dev/simulator/servicenow/server';
import { startPostgres, type Postgres } from '../helpers/postgres';
import { startTemporalCluster, type TemporalCluster } from '../helpers/temporal-cluster';

/**
 * The chaos suite's pieces on the PostgreSQL-backed server, with the topology of the README's "Scaling
 * out": two webhook processes (every event reaches each of them twice) and two worker processes. Mid-run
 * one worker is SIGKILLed for good and the Temporal server is SIGKILLed and started again. It has its own
 * PostgreSQL and server, so killing them disturbs no other test file.
 */
export interface ClusterChaosReport {
  events: number;
  /** One tally per webhook process. */
  deliveries: DeliveryTally[];
  accepted: number;
  tally: IncidentTally;
  quiescence: Quiescence;
  /** What was done to whom, when (ms after the first delivery), until it was back; `error` if it could not be done. */
  faults: { fault: string; atMs: number; lastedMs: number; error?: string }[];
  unplannedExits: number;
  /** Process and server logs; kept only when asked (the test keeps them when it fails). */
  workDir: string;
}

export interface ClusterChaosOptions {
  events: number;
  eventsPerSecond: number;
  cliPath: string;
  seed?: number;
}

interface Topology {
  postgres: Postgres;
  cluster: TemporalCluster;
  simulator: ServiceNowSimulator;
  workers: NodeService[];
  webhooks: { service: NodeService; url: string }[];
}

const SERVER_DOWN_MS = 3_000;
export const WORKER_KILL = 'worker-1 SIGKILL (stays down)';
export const SERVER_RESTART = 'temporal server SIGKILL + restart';
const DRAIN_TIMEOUT_MS = 150_000;

/** Starts what it can and, if anything fails, stops what it started. */
async function startTopology(
  options: ClusterChaosOptions,
  workDir: string,
  stops: (() => Promise<void>)[],
): Promise<Topology> {
  const postgres = await startPostgres();
  stops.push(() => postgres.stop());
  const cluster = await startTemporalCluster({
    postgres,
    databaseName: 'temporal_chaos',
    cliPath: options.cliPath,
    workDir,
    quiet: true,
  });
  stops.push(() => cluster.stop());
  const simulator = await startServiceNowSimulator({ port: 0, seed: options.seed });
  stops.push(() => simulator.close());
  const env = bridgeProcessEnv(ciRun().bridgeEnv, cluster.address);
  const workers = ['worker-1', 'worker-2'].map((name) => workerService(name, env, simulator, workDir));
  const webhooks = [await webhookService('webhook-1', env, workDir), await webhookService('webhook-2', env, workDir)];
  for (const service of [...workers, ...webhooks.map((webhook) => webhook.service)]) stops.push(() => service.close());
  await Promise.all([...workers, ...webhooks.map((webhook) => webhook.service)].map((service) => service.start()));
  return { postgres, cluster, simulator, workers, webhooks };
}

/** A worker killed with no drain while tickets are being created, then a crashed and restarted server. */
async function injectFaults(
  topology: Topology,
  ingestMs: number,
  started: number,
): Promise<ClusterChaosReport['faults']> {
  const plan: { at: number; fault: string; run: () => Promise<void> }[] = [
    { at: 0.3, fault: WORKER_KILL, run: () => topology.workers[0].kill('SIGKILL') },
    {
      at: 0.55,
      fault: SERVER_RESTART,
      run: () => topology.cluster.server.restart({ signal: 'SIGKILL', downMs: SERVER_DOWN_MS }),
    },
  ];
  const log: ClusterChaosReport['faults'] = [];
  for (const step of plan) {
    await sleep(Math.max(0, started + step.at * ingestMs - Date.now()));
    const begun = Date.now();
    const error = await step.run().then(
      () => undefined,
      (failure: Error) => failure.message,
    );
    log.push({ fault: step.fault, atMs: begun - started, lastedMs: Date.now() - begun, error });
  }
  return log;
}

async function drive(topology: Topology, events: ChaosEvent[], options: ClusterChaosOptions) {
  const { retryConf, hasuraTimeScale, httpPoolSize } = ciRun();
  const ingestMs = (events.length / options.eventsPerSecond) * 1000;
  const started = Date.now();
  const deliver = (url: string, seed: number) =>
    deliverAll(events, createRng(seed), {
      url,
      secret: CHAOS_WEBHOOK_SECRET,
      eventsPerSecond: options.eventsPerSecond,
      httpPoolSize,
      retryConf,
      timeScale: hasuraTimeScale,
    });
  const [faults, ...deliveries] = await Promise.all([
    injectFaults(topology, ingestMs, started),
    ...topology.webhooks.map((webhook, index) => deliver(webhook.url, (options.seed ?? 1) + index + 1)),
  ]);
  const connection = await Connection.connect({ address: topology.cluster.address });
  try {
    const quiescence = await waitForQuiescence(new Client({ connection }), { timeoutMs: DRAIN_TIMEOUT_MS });
    return { faults, deliveries, quiescence };
  } finally {
    await connection.close();
  }
}

/** Every process it started is stopped before it returns; the work dir is removed unless kept. */
export async function runClusterChaos(options: ClusterChaosOptions): Promise<ClusterChaosReport> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'incident-bridge-cluster-chaos-'));
  const stops: (() => Promise<void>)[] = [];
  try {
    const topology = await startTopology(options, workDir, stops);
    const events = buildEvents(options.events, createRng(options.seed ?? 1));
    const { faults, deliveries, quiescence } = await drive(topology, events, options);
    const accepted = new Set(deliveries.flatMap((tally) => [...tally.accepted]));
    return {
      events: events.length,
      deliveries,
      accepted: accepted.size,
      faults,
      quiescence,
      workDir,
      tally: tallyIncidents(events, accepted, topology.simulator.records(), quiescence.census.parked),
      unplannedExits: [...topology.workers, ...topology.webhooks.map((webhook) => webhook.service)].reduce(
        (sum, service) => sum + service.unplannedExits,
        0,
      ),
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}

export function removeWorkDir(report: ClusterChaosReport): void {
  rmSync(report.workDir, { recursive: true, force: true });
}
