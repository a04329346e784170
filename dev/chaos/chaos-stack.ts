import path from 'node:path';
import { packageRoot } from '../../src/package-root';
import { freePort } from '../temporal/dev-server';
import {
  startServiceNowSimulator,
  DEFAULT_SIMULATOR_USER,
  type ServiceNowSimulator,
} from '../simulator/servicenow/server';
import { NodeService } from './node-service';
import { TemporalService } from './temporal-service';

/** The compiled product entry points, whether this file runs from dev/ (jest) or dist/. */
export const DIST = path.join(packageRoot(), 'dist', 'src');
const TASK_QUEUE = 'incident-bridge-chaos';
export const CHAOS_WEBHOOK_SECRET = 'chaos-webhook-secret';

export interface ChaosStackOptions {
  cliPath: string;
  workDir: string;
  seed: number;
  /** TICKET_RETRY_*, TICKET_ATTEMPT_TIMEOUT, DUPLICATE_CHECK_DELAY, … for the bridge processes. */
  bridgeEnv: Record<string, string>;
}

/** Everything the chaos run drives and breaks: Temporal, the simulator, and the two bridge processes. */
export interface ChaosStack {
  temporal: TemporalService;
  simulator: ServiceNowSimulator;
  webhook: NodeService;
  worker: NodeService;
  webhookUrl: string;
  close(): Promise<void>;
}

/** Only what the bridge needs: nothing leaks in from the caller's environment (e.g. a test's TEMPORAL_ADDRESS). */
export function bridgeProcessEnv(bridgeEnv: Record<string, string>, temporalAddress: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    ...bridgeEnv,
  };
}

/** A worker process (dist/src/worker/main.js) creating tickets in the simulator; started by the caller. */
export function workerService(
  name: string,
  env: NodeJS.ProcessEnv,
  simulator: ServiceNowSimulator,
  workDir: string,
): NodeService {
  const { username, password } = DEFAULT_SIMULATOR_USER;
  return new NodeService({
    name,
    script: path.join(DIST, 'worker', 'main.js'),
    readyLine: '"msg":"worker running"',
    logFile: path.join(workDir, `${name}.log`),
    env: {
      ...env,
      SERVICENOW_INSTANCE_URL: simulator.url,
      SERVICENOW_AUTH: 'basic',
      SERVICENOW_USERNAME: username,
      SERVICENOW_PASSWORD: password,
      // Nothing here reads them, and workers sharing a host (two in the cluster tier, other runs) would all
      // want the same default metrics ports.
      METRICS_PORT: 'off',
      WORKER_METRICS_PORT: 'off',
    },
  });
}

/** A webhook process (dist/src/api/main.js) on a free loopback port; started by the caller. */
export async function webhookService(
  name: string,
  env: NodeJS.ProcessEnv,
  workDir: string,
): Promise<{ service: NodeService; url: string }> {
  const port = await freePort();
  const service = new NodeService({
    name,
    script: path.join(DIST, 'api', 'main.js'),
    readyLine: '"msg":"webhook listening"',
    logFile: path.join(workDir, `${name}.log`),
    env: { ...env, HOST: '127.0.0.1', PORT: String(port), WEBHOOK_SECRET: CHAOS_WEBHOOK_SECRET },
  });
  return { service, url: `http://127.0.0.1:${port}/hasura/events` };
}

export async function startChaosStack(options: ChaosStackOptions): Promise<ChaosStack> {
  const stops: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const simulator = await startServiceNowSimulator({ port: 0, seed: options.seed });
    stops.push(() => simulator.close());
    const temporal = await TemporalService.start({
      cliPath: options.cliPath,
      dbFile: path.join(options.workDir, 'temporal.sqlite'),
    });
    stops.push(() => temporal.close());
    const env = bridgeProcessEnv(options.bridgeEnv, temporal.address);
    const worker = workerService('worker', env, simulator, options.workDir);
    stops.push(() => worker.close());
    const { service: webhook, url: webhookUrl } = await webhookService('webhook', env, options.workDir);
    stops.push(() => webhook.close());
    await Promise.all([worker.start(), webhook.start()]);
    return { temporal, simulator, webhook, worker, webhookUrl, close };
  } catch (error) {
    await close();
    throw error;
  }
}
