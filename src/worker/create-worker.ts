import { existsSync } from 'node:fs';
import path from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { BridgeActivities } from '../contract';

/** Prebuilt at `npm run build` so production workers skip the webpack step at start-up. */
export const PREBUILT_BUNDLE = path.resolve(__dirname, '..', 'workflow-bundle.js');

export interface BridgeWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: BridgeActivities;
  /** Graceful drain on shutdown: in-flight ticket calls get this long to finish. */
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
  /** Tests pass a bundle built once per file; production uses the prebuilt one. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Activity metrics (src/metrics/worker-metrics.ts) and any other interceptors. */
  interceptors?: WorkerOptions['interceptors'];
  /** Payload encryption (src/codec); the webhook's client must use the same. */
  dataConverter?: WorkerOptions['dataConverter'];
  tuning?: Pick<
    WorkerOptions,
    | 'maxConcurrentActivityTaskExecutions'
    | 'maxConcurrentWorkflowTaskExecutions'
    | 'maxCachedWorkflows'
    | 'maxTaskQueueActivitiesPerSecond'
  >;
}

function workflowSource(options: BridgeWorkerOptions): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  if (options.workflowBundle) return { workflowBundle: options.workflowBundle };
  if (existsSync(PREBUILT_BUNDLE)) return { workflowBundle: { codePath: PREBUILT_BUNDLE } };
  return { workflowsPath: require.resolve('../workflows') };
}

export async function createBridgeWorker(options: BridgeWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    shutdownGraceTime: options.shutdownGraceTime ?? '30 seconds',
    interceptors: options.interceptors,
    dataConverter: options.dataConverter,
    ...workflowSource(options),
    ...options.tuning,
  });
}

export interface TicketingWorkerOptions extends Pick<
  BridgeWorkerOptions,
  'connection' | 'namespace' | 'activities' | 'dataConverter' | 'interceptors' | 'shutdownGraceTime'
> {
  taskQueue: string;
  /**
   * This process's share, like the targets' RequestPacer that holds it exactly: Temporal's limiter only keeps
   * activities from starting (and waiting for a turn) faster than their calls can go. Per worker, not task-queue
   * wide, so N processes each given R/N add up to R.
   */
  maxActivitiesPerSecond?: number;
  /** Queue-wide (the backfill lane's rate, across workers). */
  maxTaskQueueActivitiesPerSecond?: number;
}

/** Activities only, on the ticketing task queue, so ticket calls have their own lane and rate. */
export async function createTicketingWorker(options: TicketingWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    dataConverter: options.dataConverter,
    interceptors: options.interceptors,
    shutdownGraceTime: options.shutdownGraceTime ?? '30 seconds',
    maxActivitiesPerSecond: options.maxActivitiesPerSecond,
    maxTaskQueueActivitiesPerSecond: options.maxTaskQueueActivitiesPerSecond,
  });
}
