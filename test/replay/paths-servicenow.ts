import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import type { InboundActivities, InboundDecision, ServiceNowChange } from '../../src/contract';
import { eventPolicyFromEnv } from '../../src/settings/policy';
import { FAST_POLICY_ENV } from '../helpers/stack';
import { testWorkflowBundle, uniqueTaskQueue } from '../helpers/temporal';
import type { Harness, RecordingServer } from './recorder-harness';
import type { Path, Recorded } from './recording-steps';

/*
 * Issue 14's workflows (servicenowChangeWorkflow, servicenowReconcileWorkflow): a worker of their own whose
 * ServiceNow reads, row writes and sweep are scripted (a history holds only the activities' results), with the
 * worker's policy activity as the bridge runs it.
 */
type Script = Partial<InboundActivities>;

const WRITE = {
  trigger: 'replay_inbound',
  table: { schema: 'public', name: 'incident_request' },
  key: { id: '7' },
  values: { status: 'in_progress' },
  onlyIf: { ticket_sys_id: 'a1b2c3' },
};
const decision = (modCount: number, status: string): InboundDecision => ({
  kind: 'write',
  write: { ...WRITE, values: { status } },
  modCount,
  number: 'INC0010007',
});

async function withWorker(
  server: RecordingServer,
  script: Script,
  run: (queue: string) => Promise<Recorded>,
  env: Record<string, string> = {},
) {
  const connection = await NativeConnection.connect({ address: server.address });
  const taskQueue = uniqueTaskQueue('record-servicenow');
  const policy = eventPolicyFromEnv({ ...FAST_POLICY_ENV, TICKET_RETRY_MAX_INTERVAL: '300ms', ...env });
  const activities = { workerPolicy: async () => policy, ...script };
  const worker = await Worker.create({
    ...{ connection, namespace: 'default', taskQueue, activities },
    ...{ workflowBundle: await testWorkflowBundle(), shutdownGraceTime: '1 second' },
  });
  const running = worker.run();
  try {
    return await run(taskQueue);
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
  }
}

/** One change's run to its end; `fails`: the run is expected to fail (its history is the fixture all the same). */
function changeRun(h: Harness, taskQueue: string, modCount: number, fails = false): Promise<Recorded> {
  const change: ServiceNowChange = { table: 'incident', sysId: 'a1b2c3', modCount };
  const workflowId = `servicenow-incident-a1b2c3-${modCount}-${randomUUID()}`;
  const ran = h.client.workflow.execute('servicenowChangeWorkflow', { workflowId, taskQueue, args: [change] });
  return ran.then(
    () => (fails ? Promise.reject(new Error(`${workflowId} completed; a failure was expected`)) : { workflowId }),
    (error: unknown) => (fails && error instanceof WorkflowFailedError ? { workflowId } : Promise.reject(error)),
  );
}

const NOT_YET = 'row public.incident_request (id=7): its workflow holds no ticket yet';
const WAIT: InboundDecision = { kind: 'wait', reason: NOT_YET };

/** The row workflow never holds the ticket: `wait` while asked to, the read at the wait's deadline fails for good. */
const neverReady: Script['readServiceNowChange'] = async (_change, options) => {
  if (options?.rowNotReady !== 'fail') return WAIT;
  throw ApplicationFailure.nonRetryable(NOT_YET, 'RowTicketNotYetKnownError');
};

/** Reads in order: each call takes the next answer (an Error is thrown, once). */
function reads(...answers: (InboundDecision | Error)[]): Script['readServiceNowChange'] {
  return async () => {
    const next = answers.length > 1 ? answers.shift()! : answers[0];
    if (next instanceof Error) throw next;
    return next;
  };
}
const written = async () => ({ rows: 1, changed: 1 });

export const SERVICENOW_PATHS: Record<string, Path> = {
  // The record moved on during the write: a second round writes the newer values, the third read finds it still.
  'servicenow-change-two-rounds': (h, server) =>
    withWorker(
      server,
      { readServiceNowChange: reads(decision(3, 'in_progress'), decision(4, 'resolved')), writeInboundRow: written },
      (queue) => changeRun(h, queue, 3),
    ),

  // The re-read after a write fails once (ServiceNow away), then sees the record unchanged.
  'servicenow-change-reread-retried': (h, server) =>
    withWorker(
      server,
      {
        readServiceNowChange: reads(
          decision(5, 'resolved'),
          ApplicationFailure.retryable('503', 'TicketUnavailable'),
          decision(5, 'resolved'),
        ),
        writeInboundRow: written,
      },
      (queue) => changeRun(h, queue, 5),
    ),

  // patched('14-wait-for-row-ticket'): the row workflow holds no ticket yet twice (two timers), then the write.
  'servicenow-change-waits-for-row': (h, server) =>
    withWorker(
      server,
      { readServiceNowChange: reads(WAIT, WAIT, decision(6, 'in_progress')), writeInboundRow: written },
      (queue) => changeRun(h, queue, 6),
    ),

  // The same, never answered: the wait ends at the park timeout (1 s here) and the run fails.
  'servicenow-change-wait-expired': (h, server) =>
    withWorker(server, { readServiceNowChange: neverReady }, (queue) => changeRun(h, queue, 8, true), {
      PARK_TIMEOUT: '1s',
    }),

  'servicenow-reconcile-swept': (h, server) =>
    withWorker(
      server,
      { sweepServiceNowChanges: async () => ({ since: '2026-12-02 10:00:00', cursors: {}, seen: 2, started: 1 }) },
      async (taskQueue) => {
        const workflowId = `servicenow-reconcile-${randomUUID()}`;
        await h.client.workflow.execute('servicenowReconcileWorkflow', { workflowId, taskQueue });
        return { workflowId };
      },
    ),
};
