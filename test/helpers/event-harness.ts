import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { statusQuery, type BridgeActivities, type EventPolicy, type EventStatus } from '../../src/contract';
import type { EventWorkflowInput, TicketState } from '../../src/contract';
import type { FailureReport, Notifier, NotifyChannel } from '../../src/notify';
import type { CallContext, TicketFields, TicketRef } from '../../src/ticketing/ticket-target';
import { hasuraEventWorkflow } from '../../src/workflows';
import { createBridgeWorker } from '../../src/worker/create-worker';
import { activitiesWithFake, FakeTarget, FAST_TEST_POLICY } from './fake-target';
import { eventually } from './stack';
import { testWorkflowBundle, uniqueTaskQueue, type TestTemporal } from './temporal';

/** Keeps every report it is asked to send, on the channels it claims. */
export class RecordingNotifier implements Notifier {
  readonly sent: { channel: NotifyChannel; report: FailureReport }[] = [];
  constructor(private readonly configured: NotifyChannel[] = ['webhook']) {}
  channels(): NotifyChannel[] {
    return this.configured;
  }
  async send(channel: NotifyChannel, report: FailureReport) {
    this.sent.push({ channel, report });
    return 'sent' as const;
  }
  async close() {}
}

/** A FakeTarget that can hold creates: while held, the event stays "creating" until the test releases it. */
export class GatedTarget extends FakeTarget {
  private gate?: Promise<void>;

  /** Holds every create from now on; the returned function lets them (and later ones) through. */
  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.gate = undefined;
      release();
    };
  }

  async create(input: { correlationId: string; fields: TicketFields }, ctx?: CallContext): Promise<TicketRef> {
    const gate = this.gate;
    // A cancelled activity (the worker shutting down after a failed test) stops waiting.
    if (gate)
      await new Promise<void>((resolve, reject) => {
        void gate.then(resolve);
        ctx?.signal?.addEventListener('abort', () => reject(new Error('cancelled')), { once: true });
      });
    return super.create(input);
  }
}

export interface EventHarness {
  temporal: TestTemporal;
  target: FakeTarget;
  notifier: Notifier;
  worker: Worker;
  taskQueue: string;
}

export interface EventHarnessOptions {
  target?: FakeTarget;
  notifier?: Notifier;
  /** Replaces or wraps activities (a fault, another mapping); gets the real ones around the fake target. */
  activities?: (real: BridgeActivities) => BridgeActivities;
}

/** Runs `test` with a worker of its own task queue: the real activities around an in-memory target. */
export async function withEventWorker(
  temporal: TestTemporal,
  options: EventHarnessOptions,
  test: (h: EventHarness) => Promise<void>,
): Promise<void> {
  const target = options.target ?? new FakeTarget();
  const notifier = options.notifier ?? new RecordingNotifier();
  const taskQueue = uniqueTaskQueue('wf');
  const real = activitiesWithFake(target, { notifier });
  const worker = await createBridgeWorker({
    connection: temporal.nativeConnection,
    namespace: 'default',
    taskQueue,
    activities: options.activities ? options.activities(real) : real,
    workflowBundle: await testWorkflowBundle(),
    shutdownGraceTime: '1 second',
  });
  await worker.runUntil(test({ temporal, target, notifier, worker, taskQueue }));
}

export function eventInput(policy: Partial<EventPolicy> = FAST_TEST_POLICY, row: object = {}): EventWorkflowInput {
  const eventId = randomUUID();
  return {
    event: {
      eventId,
      trigger: 'tr',
      table: { schema: 'public', name: 'incident_request' },
      op: 'INSERT',
      // Now, as Hasura stamps it (zone-less): an older event would be looked up first (LOOKUP_FIRST_AFTER).
      createdAt: new Date().toISOString().replace('Z', ''),
      data: { old: null, new: { id: 7, title: 'Disk full', ...row } },
      sessionVariables: null,
    },
    correlationId: `tr:${eventId}`,
    policy,
  };
}

export function startEvent(h: EventHarness, input: EventWorkflowInput = eventInput()) {
  return h.temporal.client.workflow.start(hasuraEventWorkflow, {
    taskQueue: h.taskQueue,
    workflowId: `test-${input.event.eventId}`,
    args: [input],
  });
}

/** Waits until the status query shows `state`, and returns that status; fails at once if the workflow closes first. */
export function untilState(handle: WorkflowHandle, state: TicketState): Promise<EventStatus> {
  return eventually(
    async () => {
      const status = await handle.query(statusQuery);
      if (status.state === state) return status;
      const closed = (await handle.describe()).status.name;
      if (closed !== 'RUNNING') throw new Error(`${handle.workflowId} closed ${closed} in state ${status.state}`);
      return undefined;
    },
    { what: `${handle.workflowId} to be ${state}` },
  );
}
