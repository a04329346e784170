import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { startServiceNowSimulator, type ServiceNowSimulator } from '../simulator/servicenow/server';
import { freePort } from '../temporal/dev-server';
import { distScript, spawnNode, type BenchChild } from './children';
import type { StorageMode, TemporalKind } from './config';
import { BENCH_SECRET } from './events';
import { RUNTIME_IMAGE_ENV } from './image-env';
import { startBenchServer } from './server';
import { waitFor } from './timing';

/** Short retries so outages and parks resolve within a benchmark step (same knobs as README "Configuration"). */
export const BENCH_POLICY_ENV = {
  TICKET_RETRY_INITIAL_INTERVAL: '200ms',
  TICKET_RETRY_MAX_INTERVAL: '2s',
  TICKET_RETRY_MAX_ATTEMPTS: '200',
  TICKET_ATTEMPT_TIMEOUT: '10s',
  SERVICENOW_REQUEST_TIMEOUT_MS: '8000',
};

/** What every section shares: one Temporal server, one simulator, one client for visibility queries. */
export interface BenchStack {
  storage: StorageMode;
  temporalAddress: string;
  /** The Temporal server's Prometheus page: its `action` counter prices the runs (./cost.ts). */
  temporalMetricsUrl: string;
  /** Which Temporal server, on which storage (the report names it). */
  temporalServer: string;
  simulator: ServiceNowSimulator;
  client: Client;
  workDir: string;
  logLevel: string;
  /** Environment common to every child: the runtime image's, Temporal, ServiceNow simulator, policy, JSON logs. */
  childEnv(taskQueue: string, extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export async function startBenchStack(options: {
  temporal: TemporalKind;
  storage: StorageMode;
  workDir: string;
  logLevel: string;
}): Promise<BenchStack> {
  const server = await startBenchServer(options);
  const closers: (() => Promise<void>)[] = [server.stop];
  try {
    const simulator = await startServiceNowSimulator({ port: 0, seed: 7 });
    closers.unshift(() => simulator.close());
    const connection = await Connection.connect({ address: server.address });
    closers.unshift(() => connection.close());
    return {
      storage: options.storage,
      temporalAddress: server.address,
      temporalMetricsUrl: server.metricsUrl,
      temporalServer: server.description,
      simulator,
      client: new Client({ connection }),
      workDir: options.workDir,
      logLevel: options.logLevel,
      childEnv: (taskQueue, extra = {}) => ({
        // The image's first, so the same variable in the benchmark's environment still tries a setting.
        ...RUNTIME_IMAGE_ENV,
        ...process.env,
        TEMPORAL_ADDRESS: server.address,
        TEMPORAL_NAMESPACE: 'default',
        TEMPORAL_TASK_QUEUE: taskQueue,
        SERVICENOW_INSTANCE_URL: simulator.url,
        SERVICENOW_AUTH: 'basic',
        SERVICENOW_USERNAME: 'bridge',
        SERVICENOW_PASSWORD: 'bridge-password',
        WEBHOOK_SECRET: BENCH_SECRET,
        HOST: '127.0.0.1',
        LOG_FORMAT: 'json',
        LOG_LEVEL: options.logLevel,
        ...BENCH_POLICY_ENV,
        ...extra,
      }),
      close: () => closeAll(closers),
    };
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
}

async function closeAll(closers: (() => Promise<void>)[]): Promise<void> {
  for (const close of closers)
    await close().catch((error) => console.error(`bench: clean-up failed: ${String(error)}`));
}

export interface HttpChild extends BenchChild {
  url: string;
}

/** Starts an HTTP entry point (webhook or relay) on a free port and waits for /healthz. */
export async function startHttpChild(
  stack: BenchStack,
  options: { name: string; script: string[]; env: NodeJS.ProcessEnv; signal?: AbortSignal },
): Promise<HttpChild> {
  const port = await freePort();
  const child = spawnNode(distScript(...options.script), {
    name: options.name,
    env: { ...options.env, PORT: String(port) },
    logDir: stack.workDir,
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (child.process.exitCode !== null)
          throw new Error(`${options.name} exited with ${child.process.exitCode}; see ${child.logFile}`);
        const ok = await fetch(`${url}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
        return ok ? true : undefined;
      },
      { timeoutMs: 30_000, what: `${options.name} /healthz`, intervalMs: 100, signal: options.signal },
    );
  } catch (error) {
    await child.stop();
    throw error;
  }
  return { ...child, url };
}

export interface Bridge {
  webhook: HttpChild;
  /** Absent for ack-only runs, where starts must pile up untouched. */
  worker?: BenchChild;
  eventsUrl: string;
  taskQueue: string;
  /** What both children were started with; the floor loop reuses it for identical start options. */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/** The bridge as deployed: `node dist/src/api/main.js` and `node dist/src/worker/main.js`, each its own process. */
export async function startBridge(
  stack: BenchStack,
  options: {
    name: string;
    withWorker?: 'yes' | 'no';
    env?: NodeJS.ProcessEnv;
    /** The worker's alone on top of `env` (e.g. its NODE_OPTIONS), so the webhook's footprint stays comparable. */
    workerEnv?: NodeJS.ProcessEnv;
    signal?: AbortSignal;
  },
): Promise<Bridge> {
  const taskQueue = `bench-${options.name}-${randomUUID().slice(0, 8)}`;
  // Metrics stay on, as deployed, each worker on its own free ports so parallel runs never collide.
  const metricsPorts = { METRICS_PORT: String(await freePort()), WORKER_METRICS_PORT: String(await freePort()) };
  const env = stack.childEnv(taskQueue, { ...metricsPorts, ...options.env });
  const worker =
    options.withWorker === 'no'
      ? undefined
      : spawnNode(distScript('src', 'worker', 'main.js'), {
          name: `${options.name}-worker`,
          env: { ...env, ...options.workerEnv },
          logDir: stack.workDir,
        });
  try {
    await worker?.waitForLog('worker running', { timeoutMs: 60_000, signal: options.signal });
    const webhook = await startHttpChild(stack, {
      name: `${options.name}-webhook`,
      script: ['src', 'api', 'main.js'],
      env,
      signal: options.signal,
    });
    const stop = async (): Promise<void> => {
      await webhook.stop();
      await worker?.stop();
    };
    return { webhook, worker, eventsUrl: `${webhook.url}/hasura/events`, taskQueue, env, stop };
  } catch (error) {
    await worker?.stop();
    throw error;
  }
}
