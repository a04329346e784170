import path from 'node:path';
import { packageRoot } from '../../src/package-root';
import { freePort } from '../temporal/dev-server';
import { startServiceNowSimulator, DEFAULT_SIMULATOR_USER, type ServiceNowSimulator } from '../simulator/servicenow/server';
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
function baseEnv(options: ChaosStackOptions, temporalAddress: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    ...options.bridgeEnv,
  };
}

export async function startChaosStack(options: ChaosStackOptions): Promise<ChaosStack> {
  const stops: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const simulator = await startServiceNowSimulator({ port: 0, seed: options.seed });
    stops.push(() => simulator.close());
    const temporal = await TemporalService.start({ cliPath: options.cliPath, dbFile: path.join(options.workDir, 'temporal.sqlite') });
    stops.push(() => temporal.close());
    const env = baseEnv(options, temporal.address);
    const worker = new NodeService({
      name: 'worker', script: path.join(DIST, 'worker', 'main.js'), readyLine: '"msg":"worker running"', logFile: path.join(options.workDir, 'worker.log'),
      env: { ...env, SERVICENOW_INSTANCE_URL: simulator.url, SERVICENOW_AUTH: 'basic', SERVICENOW_USERNAME: DEFAULT_SIMULATOR_USER.username, SERVICENOW_PASSWORD: DEFAULT_SIMULATOR_USER.password },
    });
    stops.push(() => worker.close());
    const port = await freePort();
    const webhook = new NodeService({
      name: 'webhook', script: path.join(DIST, 'api', 'main.js'), readyLine: '"msg":"webhook listening"', logFile: path.join(options.workDir, 'webhook.log'),
      env: { ...env, HOST: '127.0.0.1', PORT: String(port), WEBHOOK_SECRET: CHAOS_WEBHOOK_SECRET },
    });
    stops.push(() => webhook.close());
    await Promise.all([worker.start(), webhook.start()]);
    return { temporal, simulator, webhook, worker, webhookUrl: `http://127.0.0.1:${port}/hasura/events`, close };
  } catch (error) {
    await close();
    throw error;
  }
}
