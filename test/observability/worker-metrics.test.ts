import { randomUUID } from 'node:crypto';
import { serveMetrics, type MetricsServer } from '../../src/metrics/exposition';
import { createWorkerMetrics, type WorkerMetrics } from '../../src/metrics/worker-metrics';
import { TicketRateLimitedError, TicketUnavailableError, TicketValidationError } from '../../src/ticketing/errors';
import { createBridgeWorker } from '../../src/worker/create-worker';
import { hasuraEventWorkflow } from '../../src/workflows';
import { abandonSignal, statusQuery } from '../../src/contract';
import type { EventWorkflowInput } from '../../src/contract';
import { activitiesWithFake, FakeTarget, FAST_TEST_POLICY } from '../helpers/fake-target';
import { eventually } from '../helpers/stack';
import { connectTestTemporal, testWorkflowBundle, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { parsePrometheusText, undeclaredFamilies, type Exposition } from './prom-text';

const FAST = FAST_TEST_POLICY;

let temporal: TestTemporal;
beforeAll(async () => {
  temporal = await connectTestTemporal();
});
afterAll(async () => temporal?.close());

interface Harness {
  target: FakeTarget;
  metrics: WorkerMetrics;
  taskQueue: string;
  scrape(): Promise<Exposition>;
}

async function withMeteredWorker(test: (h: Harness) => Promise<void>): Promise<void> {
  const target = new FakeTarget();
  const metrics = createWorkerMetrics();
  const taskQueue = uniqueTaskQueue('metrics');
  const activities = activitiesWithFake(target);
  const worker = await createBridgeWorker({
    connection: temporal.nativeConnection,
    namespace: 'default',
    taskQueue,
    activities,
    workflowBundle: await testWorkflowBundle(),
    interceptors: metrics.interceptors({ target: 'servicenow' }),
  });
  const server: MetricsServer = await serveMetrics(metrics.registry, { host: '127.0.0.1', port: 0 });
  const scrape = async () => parsePrometheusText(await (await fetch(server.url)).text());
  try {
    await worker.runUntil(test({ target, metrics, taskQueue, scrape }));
  } finally {
    await server.close();
  }
}

function start(h: Harness) {
  const eventId = randomUUID();
  const input: EventWorkflowInput = {
    event: {
      eventId,
      trigger: 'tr',
      table: { schema: 'public', name: 'incident_request' },
      op: 'INSERT',
      createdAt: '2026-01-01T00:00:00.123',
      data: { old: null, new: { id: 7, title: 'Disk full' } },
      sessionVariables: null,
    },
    correlationId: `tr:${eventId}`,
    policy: FAST,
  };
  return temporal.client.workflow.start(hasuraEventWorkflow, {
    taskQueue: h.taskQueue,
    workflowId: `metrics-${eventId}`,
    args: [input],
  });
}

const operations = (m: Exposition, operation: string, outcome: string, kind: string) =>
  m.value('incident_bridge_ticket_operations_total', { target: 'servicenow', operation, outcome, kind }) ?? 0;

test('when ticket creation fails transiently and then succeeds, then every attempt is counted by outcome and error kind, and timed', async () => {
  await withMeteredWorker(async (h) => {
    h.target.createFailures = [
      new TicketUnavailableError('503 from the instance', { status: 503 }),
      new TicketRateLimitedError('429', { status: 429, retryAfterMs: 100 }),
    ];
    const outcome = await (await start(h)).result();
    expect(outcome).toMatchObject({ status: 'created' });
    const metrics = await h.scrape();
    expect(undeclaredFamilies(metrics, 'incident_bridge_')).toEqual([]);
    expect(operations(metrics, 'transformEvent', 'ok', 'none')).toBe(1);
    expect(operations(metrics, 'createTicket', 'error', 'unavailable')).toBe(1);
    expect(operations(metrics, 'createTicket', 'error', 'rate-limited')).toBe(1);
    expect(operations(metrics, 'createTicket', 'ok', 'none')).toBe(1);
    const timed = (outcome: string) =>
      metrics.value('incident_bridge_ticket_operation_seconds_count', {
        target: 'servicenow',
        operation: 'createTicket',
        outcome,
      });
    expect(timed('error')).toBe(2);
    expect(timed('ok')).toBe(1);
    expect(
      metrics.value('incident_bridge_ticket_operation_seconds_sum', {
        target: 'servicenow',
        operation: 'createTicket',
        outcome: 'ok',
      }),
    ).toBeGreaterThan(0);
  });
});

test('when an event parks for an operator, then the permanent error is counted and the parked gauge counts it until it is abandoned', async () => {
  await withMeteredWorker(async (h) => {
    h.target.createFailures = [new TicketValidationError('Invalid urgency', { status: 400 })];
    const handle = await start(h);
    await eventually(
      async () => ((await handle.query(statusQuery)).state === 'waiting-for-operator' ? true : undefined),
      { what: 'park' },
    );
    const gauge = h.metrics.startParkedGauge(temporal.client, { taskQueue: h.taskQueue });
    const parkedNow = async (expected: number) => {
      await gauge.refresh();
      const value = (await h.scrape()).value('incident_bridge_events_parked');
      return value === expected ? value : undefined;
    };
    try {
      // Visibility (which count queries read) trails the workflow by a moment.
      await eventually(() => parkedNow(1), { what: 'parked gauge at 1', timeoutMs: 15_000 });
      expect(operations(await h.scrape(), 'createTicket', 'error', 'validation')).toBe(1);
      await handle.signal(abandonSignal, { reason: 'test cleanup' });
      await handle.result();
      await eventually(() => parkedNow(0), { what: 'parked gauge back at 0', timeoutMs: 15_000 });
    } finally {
      gauge.stop();
    }
  });
});
