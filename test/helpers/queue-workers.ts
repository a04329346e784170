import { refusingCreatesOffTicketingQueue } from '../../src/activities';
import { ticketingQueueOf } from '../../src/contract';
import { createBridgeWorker, createTicketingWorker, type BridgeWorkerOptions } from '../../src/worker/create-worker';

/**
 * A test's worker for its task queue and the one for that queue's ticketing queue, where singleTicketWorkflow
 * schedules its create under a rate limit (as src/worker/run.ts polls both): run and stopped together, like one
 * Worker. `ticketRateLimited`: the workflow queue refuses creates, as a worker with TICKET_RATE_LIMIT_PER_SECOND.
 */
export type QueueWorkers = Awaited<ReturnType<typeof createQueueWorkers>>;

export async function createQueueWorkers(options: BridgeWorkerOptions & { ticketRateLimited?: boolean }) {
  const { connection, namespace, activities, dataConverter, interceptors, shutdownGraceTime } = options;
  const { ticketRateLimited, ...workflowOptions } = options;
  const workflows = await createBridgeWorker({
    ...workflowOptions,
    activities: ticketRateLimited ? refusingCreatesOffTicketingQueue(activities) : activities,
  });
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
