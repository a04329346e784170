import { NativeConnection, type Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { connectionOptions, type TemporalConfig } from '../config/temporal';
import type { Logger } from '../logging';
import { createBridgeWorker, type BridgeWorkerOptions } from './create-worker';
import { dependenciesFromEnv } from './dependencies';

export interface RunningWorker {
  worker: Worker;
  /** Resolves when the worker has drained and its connections are closed. */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

export interface WorkerContext {
  logger: Logger;
  temporal: TemporalConfig;
  /** Tests hand in a bundle built once; otherwise the prebuilt (or freshly built) one is used. */
  workflowBundle?: BridgeWorkerOptions['workflowBundle'];
}

export async function startWorker(env: NodeJS.ProcessEnv, context: WorkerContext): Promise<RunningWorker> {
  const { deps, close } = dependenciesFromEnv(env, context);
  const connection = await NativeConnection.connect(connectionOptions(context.temporal));
  const worker = await createBridgeWorker({
    connection,
    namespace: context.temporal.namespace,
    taskQueue: context.temporal.taskQueue,
    activities: createActivities(deps),
    workflowBundle: context.workflowBundle,
  });
  const done = worker.run().finally(async () => {
    await close();
    await connection.close();
  });
  context.logger.info({ taskQueue: context.temporal.taskQueue, namespace: context.temporal.namespace }, 'worker running');
  return {
    worker,
    done,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
