import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createEventStarter } from '../../src/starting/event-starter';
import { hasuraEventSchema } from '../../src/hasura/event-schema';
import { startServiceNowSimulator, type ServiceNowSimulator } from '../../dev/simulator/servicenow/server';
import { freePort } from '../../dev/temporal/dev-server';
import { hasuraEventBody } from '../helpers/hasura';
import { eventually, FAST_POLICY_ENV } from '../helpers/stack';
import { connectTestTemporal, testTemporalAddress, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { parsePrometheusText, undeclaredFamilies, type Exposition } from './prom-text';

// The SDK Runtime is process-wide and this jest process already installed one
// (test/helpers/quiet-runtime.ts), so the real worker entry point runs in a child process.
const WORKER_MAIN = path.resolve(__dirname, '..', '..', 'src', 'worker', 'main.ts');
const TS_REGISTER = path.resolve(__dirname, 'ts-register.js');

let simulator: ServiceNowSimulator;
let temporal: TestTemporal;
let child: ChildProcess;
let output = '';
const ports = { sdk: 0, worker: 0 };
const taskQueue = uniqueTaskQueue('worker-process');

beforeAll(async () => {
  simulator = await startServiceNowSimulator({ port: 0 });
  temporal = await connectTestTemporal();
  ports.sdk = await freePort();
  ports.worker = await freePort();
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
    TEMPORAL_ADDRESS: testTemporalAddress(),
    TEMPORAL_TASK_QUEUE: taskQueue,
    SERVICENOW_INSTANCE_URL: simulator.url,
    SERVICENOW_USERNAME: 'bridge',
    SERVICENOW_PASSWORD: 'bridge-password',
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: String(ports.sdk),
    WORKER_METRICS_PORT: String(ports.worker),
    PARKED_GAUGE_INTERVAL: '1s',
    ...FAST_POLICY_ENV,
  };
  child = spawn(process.execPath, ['-r', TS_REGISTER, WORKER_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
}, 30_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  await temporal?.close();
  await simulator?.close();
});

async function scrape(port: number): Promise<Exposition | undefined> {
  if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}:\n${output}`);
  const response = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
  return response?.ok ? parsePrometheusText(await response.text()) : undefined;
}

test('when the worker runs, then the SDK serves temporal_ metrics on METRICS_PORT and ours on WORKER_METRICS_PORT', async () => {
  // Bundling the workflow code at start-up (no prebuilt bundle in src/) takes a few seconds.
  const sdk = await eventually(
    async () => {
      const metrics = await scrape(ports.sdk);
      return metrics?.samples.some((s) => s.name.startsWith('temporal_') && s.labels.task_queue === taskQueue)
        ? metrics
        : undefined;
    },
    { what: 'SDK metrics for our task queue', timeoutMs: 45_000, intervalMs: 500 },
  );
  expect(sdk.samples.filter((s) => s.name.startsWith('temporal_')).length).toBeGreaterThan(5);

  // The retry policy is the worker's (FAST_POLICY_ENV above): the start carries none, as the webhook's.
  const starter = createEventStarter({ client: temporal.client, taskQueue });
  const { workflowId } = await starter.start(hasuraEventSchema.parse(hasuraEventBody()));
  await expect(temporal.client.workflow.getHandle(workflowId).result()).resolves.toMatchObject({ status: 'created' });

  const ours = (await scrape(ports.worker))!;
  expect(undeclaredFamilies(ours, 'incident_bridge_')).toEqual([]);
  expect(
    ours.value('incident_bridge_ticket_operations_total', {
      target: 'servicenow',
      // A single event's workflow (singleTicketWorkflow) maps and creates in this one activity.
      operation: 'createEventTicket',
      outcome: 'ok',
    }),
  ).toBe(1);
  expect(ours.value('incident_bridge_events_parked')).toBe(0);
  expect(ours.value('process_resident_memory_bytes')).toBeGreaterThan(0);
}, 60_000);

test('when the worker gets SIGTERM, then it drains, exits 0 and its log lines were JSON', async () => {
  child.kill('SIGTERM');
  const [code] = (await Promise.race([
    once(child, 'exit'),
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error(`no exit after SIGTERM:\n${output}`)), 20_000).unref(),
    ),
  ])) as [number];
  expect({ code, output }).toEqual({ code: 0, output: expect.any(String) });
  const lines = output
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(lines).toContainEqual(expect.objectContaining({ msg: 'worker running', taskQueue }));
  expect(lines).toContainEqual(
    expect.objectContaining({ msg: 'metrics endpoints', sdkMetrics: `http://127.0.0.1:${ports.sdk}/metrics` }),
  );
}, 30_000);
