import { ticketingQueueOf } from '../../src/contract';
import { createBridgeWorker, createTicketingWorker, type BridgeWorkerOptions } from '../../src/worker/create-worker';

/**
 * A test's worker for its task queue and the one for that queue's ticketing queue, where singleTicketWorkflow
 * schedules its create (as src/worker/run.ts polls both): run and stopped together, like one Worker.
 */
export type QueueWorkers = Awaited<ReturnType<typeof createQueueWorkers>>;

export async function createQueueWorkers(options: BridgeWorkerOptions) {
  const { connection, namespace, activities, dataConverter, interceptors, shutdownGraceTime } = options;
  const workflows = await createBridgeWorker(options);
  const ticketing = await createTicketingWorker({
    ...{ connection, namespace, activities, dataConverter, interceptors, shutdownGraceTime },
    taskQueue: ticketingQueueOf(options.taskQueue),
  });
  return {
    run: async (): Promise<void> => {
      await Promise.all([workflows.run(), ticketing.run()]);
    },
    runUntil: <T>(until: Promise<T>): Promise<T> => ticketing.runUntil(workflows.runUntil(until)),
    shutdown: (): void => {
      workflows.shutdown();
      ticketing.shutdown();
    },
  };
}
