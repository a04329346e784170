import { startApi, type RunningApi } from '../../src/api/server';
import { loadWebhookSettings } from '../../src/settings/webhook';
import { loadWorkerSettings } from '../../src/settings/worker';
import { createLogger, type Logger } from '../../src/logging';
import {
  startServiceNowSimulator,
  type ServiceNowSimulator,
  type SimulatorOptions,
} from '../../dev/simulator/servicenow/server';
import { startWorker, type RunningWorker } from '../../src/worker/run';
import { CORRELATION_ENV } from './correlation';
import { testTemporalAddress, testWorkflowBundle, uniqueTaskQueue } from './temporal';

export const TEST_SECRET = 'test-webhook-secret';

/** Short timers so retries, parks and duplicate checks happen within a test's time (read by the worker). */
export const FAST_POLICY_ENV = {
  TICKET_RETRY_INITIAL_INTERVAL: '200ms',
  TICKET_RETRY_MAX_INTERVAL: '1s',
  TICKET_RETRY_MAX_ATTEMPTS: '4',
  TICKET_ATTEMPT_TIMEOUT: '5s',
  SERVICENOW_REQUEST_TIMEOUT_MS: '3000',
  PARK_TIMEOUT: '10m',
  DUPLICATE_CHECK_DELAY: '1s',
};

export interface Stack {
  api: RunningApi;
  worker: RunningWorker;
  simulator: ServiceNowSimulator;
  webhookUrl: string;
  taskQueue: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  close(): Promise<void>;
}

export interface StackOptions {
  env?: NodeJS.ProcessEnv;
  simulator?: SimulatorOptions;
  logger?: Logger;
}

/** The real thing in one process: simulator + worker + webhook against the run's dev server. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const simulator = await startServiceNowSimulator({ port: 0, ...options.simulator });
  const taskQueue = uniqueTaskQueue('stack');
  const env: NodeJS.ProcessEnv = {
    TEMPORAL_ADDRESS: testTemporalAddress(),
    TEMPORAL_TASK_QUEUE: taskQueue,
    TEMPORAL_UI_URL: process.env.TEST_TEMPORAL_UI_URL ?? 'http://127.0.0.1:8233',
    HOST: '127.0.0.1',
    PORT: '0',
    WEBHOOK_SECRET: TEST_SECRET,
    SERVICENOW_INSTANCE_URL: simulator.url,
    SERVICENOW_USERNAME: 'bridge',
    SERVICENOW_PASSWORD: 'bridge-password',
    ...CORRELATION_ENV,
    ...FAST_POLICY_ENV,
    ...options.env,
  };
  const logger = options.logger ?? createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const worker = await startWorker(loadWorkerSettings(env), { logger, workflowBundle: await testWorkflowBundle() });
  const api = await startApi(loadWebhookSettings(env), { logger });
  return {
    api,
    worker,
    simulator,
    taskQueue,
    env,
    logger,
    webhookUrl: `${api.url}/hasura/events`,
    async close() {
      await api.close();
      await worker.shutdown();
      await simulator.close();
    },
  };
}

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs?: number; intervalMs?: number; what?: string | (() => string) } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${typeof options.what === 'function' ? options.what() : (options.what ?? 'condition')}`,
      );
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
}
