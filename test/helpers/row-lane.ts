import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createActivities } from '../../src/activities';
import { createEventRouter } from '../../src/starting/event-routing';
import { createEventStarter, toWorkflowEvent } from '../../src/starting/event-starter';
import { hasuraEventWorkflow } from '../../src/workflows';
import {
  correlationIdFor,
  resolvePolicy,
  statusQuery,
  workflowIdFor,
  type EventPolicy,
  type EventStatus,
} from '../../src/contract';
import { hasuraEventSchema, type HasuraEventBody } from '../../src/hasura/event-schema';
import { createLogger } from '../../src/logging';
import { createEventMapper } from '../../src/mapping/mapper';
import type { Notifier } from '../../src/notify';
import { loadBridgeConfig } from '../../src/settings/file/load';
import { CORRELATION_ENV } from './correlation';
import { createQueueWorkers, type QueueWorkers } from './queue-workers';
import { FAST_TEST_POLICY, FakeTarget, silentNotifier } from './fake-target';
import { hasuraEventBody } from './hasura';
import { eventually } from './stack';
import { connectTestTemporal, testWorkflowBundle, uniqueTaskQueue, type TestTemporal } from './temporal';
import { rowTicketKey } from './correlation';

export const LIFECYCLE_TRIGGER = 'incident_lifecycle';
const LIFECYCLE_CONFIG = path.resolve(__dirname, '..', 'fixtures', 'lifecycle.yaml');
// Only for the config loader: the ServiceNow target is replaced by a FakeTarget, nothing is called.
const UNUSED_SERVICENOW_ENV = {
  SERVICENOW_INSTANCE_URL: 'http://127.0.0.1:9',
  SERVICENOW_USERNAME: 'unused',
  SERVICENOW_PASSWORD: 'unused',
  ...CORRELATION_ENV,
};

export interface RowChange {
  op: 'INSERT' | 'UPDATE' | 'DELETE' | 'MANUAL';
  old?: Record<string, unknown> | null;
  new?: Record<string, unknown> | null;
  /** created_at as Hasura sends it. */
  at: string;
  /** Default: a fresh UUID. */
  id?: string;
  /** Default: LIFECYCLE_TRIGGER. */
  trigger?: string;
}

/**
 * A lifecycle worker (test/fixtures/lifecycle.yaml) around a FakeTarget, fed through the webhook's
 * own starter (routing, ids, inputs), minus HTTP: what a Hasura delivery does, in-process.
 */
type RowLaneOptions = { policy?: Partial<EventPolicy>; notifier?: Notifier; withoutClient?: boolean };

export class RowLane {
  readonly target = new FakeTarget();
  private worker?: { worker: QueueWorkers; running: Promise<void> };
  readonly taskQueue = uniqueTaskQueue('rows');
  private readonly config = loadBridgeConfig({ env: UNUSED_SERVICENOW_ENV, path: LIFECYCLE_CONFIG });
  private readonly router = createEventRouter(this.config);
  readonly starter;

  constructor(
    private readonly temporal: TestTemporal,
    private readonly options: RowLaneOptions = {},
  ) {
    this.starter = createEventStarter({ client: temporal.client, taskQueue: this.taskQueue, router: this.router });
  }

  async start(): Promise<this> {
    const activities = createActivities({
      targets: { servicenow: this.target },
      config: this.config,
      mapper: createEventMapper(this.config),
      notifier: this.options.notifier ?? silentNotifier,
      logger: createLogger({ level: 'silent' }),
      temporal: { uiUrl: 'http://ui.test', namespace: 'default' },
      client: this.options.withoutClient ? undefined : this.temporal.client,
      policy: resolvePolicy({ ...FAST_TEST_POLICY, ...this.options.policy }),
    });
    const { nativeConnection: connection } = this.temporal;
    const workflowBundle = await testWorkflowBundle();
    const worker = await createQueueWorkers({
      connection,
      namespace: 'default',
      taskQueue: this.taskQueue,
      activities,
      workflowBundle,
    });
    this.worker = { worker, running: worker.run() };
    return this;
  }

  async stop(): Promise<void> {
    this.worker?.worker.shutdown();
    await this.worker?.running;
  }

  /** The Hasura body of one change. */
  private bodyOf(change: RowChange): HasuraEventBody {
    const body = hasuraEventBody({
      trigger: change.trigger ?? LIFECYCLE_TRIGGER,
      op: change.op,
      id: change.id ?? randomUUID(),
      old: change.old ?? null,
      new: change.new ?? null,
    });
    return hasuraEventSchema.parse({ ...body, created_at: change.at });
  }

  /**
   * Delivers one change like a Hasura delivery: once this resolves, the row workflow holds it (the webhook
   * signals it, issue 16). Returns the row workflow id.
   */
  async deliver(change: RowChange): Promise<string> {
    return (await this.starter.start(this.bodyOf(change))).workflowId;
  }

  /** Starts the event workflow that forwards one change, as the webhook did before issue 16; returns its id. */
  async startForward(change: RowChange): Promise<string> {
    const event = toWorkflowEvent(this.bodyOf(change));
    const decision = this.router(event);
    if (decision.kind !== 'row') throw new Error(`not a row event: ${decision.kind}`);
    const { rowEvent: _rowEvent, ...route } = decision;
    const workflowId = workflowIdFor(event.trigger, event.eventId);
    const input = { event, correlationId: correlationIdFor(event.trigger, event.eventId), route };
    await this.temporal.client.workflow.start(hasuraEventWorkflow, {
      workflowId,
      taskQueue: this.taskQueue,
      args: [input],
    });
    return workflowId;
  }

  /** Waits until the row workflow has decided on everything it received, or finished idle (twice, a window apart). */
  async settled(rowWorkflowId: string): Promise<EventStatus> {
    const handle = this.temporal.client.workflow.getHandle(rowWorkflowId);
    const quiet = async () => {
      // Not started yet (the event is still on its way) reads as not settled.
      const status = await handle.query(statusQuery).catch(() => undefined);
      const waiting = status?.state === 'waiting-for-events' || status?.state === 'idle';
      return waiting && status?.row?.pending === 0 ? status : undefined;
    };
    await eventually(quiet, { what: `${rowWorkflowId} to settle` });
    await new Promise((resolve) => setTimeout(resolve, 400));
    return eventually(quiet, { what: `${rowWorkflowId} to settle` });
  }

  ticketsOf(rowKey: string | number, trigger = LIFECYCLE_TRIGGER) {
    return this.target.tickets.filter(
      (t) => t.correlationId === rowTicketKey(trigger, 'public.incident_request', rowKey),
    );
  }
}

/** Event ids (valid UUIDs, unique per test run) whose order is the given rank: the id tie-break is under test control. */
export function rankedEventIds(count: number): string[] {
  const run = randomUUID().slice(0, 8);
  return Array.from({ length: count }, (_, rank) => `${run}-0000-4000-8000-${String(rank).padStart(12, '0')}`);
}

/** Row ids no earlier run of the suite used (row workflows outlive a test run on the shared dev server). */
export function freshRowIds(count: number): number[] {
  const base = parseInt(randomUUID().slice(0, 8), 16) * 1000;
  return Array.from({ length: count }, (_, index) => base + index);
}

/** A suite's own lane on the shared dev server: started before its tests, stopped after them. */
export function useRowLane(options: RowLaneOptions): { lane: RowLane; temporal: TestTemporal } {
  const suite = {} as { lane: RowLane; temporal: TestTemporal };
  beforeAll(async () => {
    suite.temporal = await connectTestTemporal();
    suite.lane = await new RowLane(suite.temporal, options).start();
  });
  afterAll(async () => {
    await suite.lane?.stop();
    await suite.temporal?.close();
  });
  return suite;
}
