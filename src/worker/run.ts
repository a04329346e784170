import { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { WorkerSettings } from '../config/settings';
import { connectionOptions, type TemporalConnectionConfig } from '../config/temporal';
import type { Logger } from '../logging';
import type { WorkerMetrics } from '../metrics/worker-metrics';
import { dataConverterFor } from '../codec';
import { createBridgeWorker, createTicketingWorker, type BridgeWorkerOptions } from './create-worker';
import { workerDependencies } from './dependencies';
import { ensureReconcileSchedule } from './reconcile-schedule';

export interface RunningWorker {
  worker: Worker;
  /** Resolves when the worker has drained and its connections are closed. */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

export interface WorkerContext {
  logger: Logger;
  /** Tests hand in a bundle built once; otherwise the prebuilt (or freshly built) one is used. */
  workflowBundle?: BridgeWorkerOptions['workflowBundle'];
  /** Activity outcome metrics and the parked gauge; absent = none. */
  metrics?: WorkerMetrics;
}

/** Temporal may still be starting (compose, a restart): retry for a minute before giving up. */
async function connectWithRetry(
  temporal: TemporalConnectionConfig,
  logger: Logger,
  deadlineMs = 60_000,
): Promise<NativeConnection> {
  const deadline = Date.now() + deadlineMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 5_000)) {
    try {
      return await NativeConnection.connect(connectionOptions(temporal));
    } catch (error) {
      if (Date.now() + delay > deadline) throw error;
      logger.warn({ address: temporal.address, err: (error as Error).message }, 'Temporal not reachable yet; retrying');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

export async function startWorker(settings: WorkerSettings, context: WorkerContext): Promise<RunningWorker> {
  const { temporal, ticketing, tuning } = settings;
  const { deps, close } = workerDependencies(settings, context);
  const connection = await connectWithRetry(temporal, context.logger);
  const shared = {
    connection,
    namespace: temporal.namespace,
    activities: createActivities(deps),
    dataConverter: dataConverterFor(settings.keyring),
    interceptors: context.metrics?.interceptors({ target: deps.config.defaults.target }),
  };
  const { workflowBundle } = context;
  const worker = await createBridgeWorker({ ...shared, taskQueue: temporal.taskQueue, workflowBundle, tuning });
  const workers = ticketing ? [worker, await createTicketingWorker({ ...shared, ...ticketing })] : [worker];
  if (settings.servicenowReconcile) {
    const client = new Client({ connection, namespace: temporal.namespace });
    const { taskQueue } = temporal;
    await ensureReconcileSchedule(client, { ...settings.servicenowReconcile, taskQueue, logger: context.logger });
  }
  const parked = context.metrics?.startParkedGauge(new Client({ connection, namespace: temporal.namespace }), {
    taskQueue: temporal.taskQueue,
    logger: context.logger,
  });
  const done = Promise.all(workers.map((w) => w.run()))
    .then(() => undefined)
    .finally(async () => {
      parked?.stop();
      await close();
      await connection.close();
    });
  context.logger.info({ taskQueue: temporal.taskQueue, ticketing, namespace: temporal.namespace }, 'worker running');
  return {
    worker,
    done,
    async shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await done;
    },
  };
}
