import { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createActivities, warningOfCreatesOffTicketingQueue } from '../activities';
import type { WorkerSettings } from '../config/settings';
import { connectionOptions, type TemporalConnectionConfig } from '../config/temporal';
import type { Logger } from '../logging';
import type { WorkerMetrics } from '../metrics/worker-metrics';
import { dataConverterFor } from '../codec';
import { ticketingQueueOf } from '../contract';
import { ensureCatchUpSchedule } from './catch-up-schedule';
import { createBridgeWorker, createTicketingWorker, type BridgeWorkerOptions } from './create-worker';
import { workerDependencies } from './dependencies';
import { ensureReconcileSchedule } from './reconcile-schedule';

/**
 * The backfill lane's share of this process: few slots, so its workflow tasks and ticket calls cannot
 * crowd out the main queue's on the same CPU (the queue-wide rate caps it across workers).
 */
const BACKFILL_LANE = {
  maxConcurrentWorkflowTaskExecutions: 2,
  maxConcurrentActivityTaskExecutions: 4,
  maxCachedWorkflows: 50,
};

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

type SharedWorkerOptions = Omit<BridgeWorkerOptions, 'taskQueue' | 'workflowBundle' | 'tuning'>;

/**
 * The main queue's worker first, then the backfill lane, the ticketing queues of both (singleTicketWorkflow's creates
 * under a rate limit, always polled) and, when configured, TICKETING_TASK_QUEUE (hasuraEventWorkflow's ticket calls).
 * Under a rate limit a create that reaches a workflow queue runs and is logged (TICKET_CREATE_QUEUE).
 */
async function createWorkers(
  settings: WorkerSettings,
  shared: SharedWorkerOptions,
  { workflowBundle, logger }: Pick<WorkerContext, 'workflowBundle' | 'logger'>,
): Promise<Worker[]> {
  const { temporal, ticketing, tuning, sourceJobs } = settings;
  const { activities } = shared;
  const limited = ticketing?.maxActivitiesPerSecond !== undefined;
  const own = { ...shared, activities: limited ? warningOfCreatesOffTicketingQueue(activities, logger) : activities };
  const worker = await createBridgeWorker({ ...own, taskQueue: temporal.taskQueue, workflowBundle, tuning });
  // Backfill events run on their own queue and activity rate, so live events never wait behind them.
  const lane = await createBridgeWorker({
    ...own,
    taskQueue: sourceJobs.backfill.taskQueue,
    workflowBundle,
    tuning: { ...BACKFILL_LANE, maxTaskQueueActivitiesPerSecond: sourceJobs.backfill.maxActivitiesPerSecond },
  });
  const maxActivitiesPerSecond = ticketing?.maxActivitiesPerSecond;
  const creates = await createTicketingWorker({
    ...shared,
    taskQueue: ticketingQueueOf(temporal.taskQueue),
    maxActivitiesPerSecond,
  });
  const backfillCreates = await createTicketingWorker({
    ...shared,
    taskQueue: ticketingQueueOf(sourceJobs.backfill.taskQueue),
    maxActivitiesPerSecond,
    maxTaskQueueActivitiesPerSecond: sourceJobs.backfill.maxActivitiesPerSecond,
  });
  const configured = ticketing ? [await createTicketingWorker({ ...shared, ...ticketing })] : [];
  return [worker, lane, creates, backfillCreates, ...configured];
}

export async function startWorker(settings: WorkerSettings, context: WorkerContext): Promise<RunningWorker> {
  const { temporal, ticketing } = settings;
  const { deps, close } = workerDependencies(settings, context);
  const connection = await connectWithRetry(temporal, context.logger);
  const shared = {
    connection,
    namespace: temporal.namespace,
    activities: createActivities(deps),
    dataConverter: dataConverterFor(settings.keyring),
    interceptors: context.metrics?.interceptors({ target: deps.config.defaults.target }),
  };
  const workers = await createWorkers(settings, shared, context);
  const [worker] = workers;
  const { catchUp } = settings.sourceJobs;
  if (catchUp) await ensureCatchUpSchedule(deps.client, { ...catchUp, taskQueue: temporal.taskQueue }, context.logger);
  if (settings.servicenowReconcile) {
    const { taskQueue } = temporal;
    await ensureReconcileSchedule(deps.client, { ...settings.servicenowReconcile, taskQueue, logger: context.logger });
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
