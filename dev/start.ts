import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startApi } from '../src/api/server';
import { temporalConfigFromEnv } from '../src/config/temporal';
import { onShutdownSignal, runMain } from '../src/main-helpers';
import { simulatorOptionsFromEnv } from './simulator/env';
import { startServiceNowSimulator } from './simulator/servicenow/server';
import { startDevServer } from './temporal/dev-server';
import { startWorker } from '../src/worker/run';
import { startWorkerObservability } from '../src/metrics/worker-observability';
import type { Logger } from '../src/logging';
import { packageRoot } from '../src/package-root';

/** Only for `npm start` on a laptop; any real deployment sets WEBHOOK_SECRET (README). */
export const DEV_WEBHOOK_SECRET = 'local-dev-secret';
const ROOT = packageRoot();

type Stop = () => Promise<void>;

async function ensureTemporal(env: NodeJS.ProcessEnv, logger: Logger, stops: Stop[]): Promise<void> {
  if (env.TEMPORAL_ADDRESS) return void logger.info({ address: env.TEMPORAL_ADDRESS }, 'using the configured Temporal server');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { resolveTemporalCli } = require(path.join(ROOT, 'scripts', 'temporal-cli.js'));
  const dataDir = env.BRIDGE_DATA_DIR ?? path.join(ROOT, '.data');
  mkdirSync(dataDir, { recursive: true });
  const server = await startDevServer({
    cliPath: resolveTemporalCli(),
    port: Number(env.TEMPORAL_DEV_PORT ?? 7233),
    uiPort: Number(env.TEMPORAL_DEV_UI_PORT ?? 8233),
    dbFile: path.join(dataDir, 'temporal.sqlite'),
  });
  stops.push(server.stop);
  env.TEMPORAL_ADDRESS = server.address;
  env.TEMPORAL_UI_URL ??= server.uiUrl;
}

async function ensureServiceNow(env: NodeJS.ProcessEnv, stops: Stop[]): Promise<string | undefined> {
  if (env.SERVICENOW_INSTANCE_URL) return undefined;
  const options = simulatorOptionsFromEnv(env);
  const simulator = await startServiceNowSimulator(options);
  stops.push(() => simulator.close());
  const [user] = options.users ?? [];
  env.SERVICENOW_INSTANCE_URL = simulator.url;
  env.SERVICENOW_AUTH = 'basic';
  env.SERVICENOW_USERNAME = user?.username ?? 'bridge';
  env.SERVICENOW_PASSWORD = user?.password ?? 'bridge-password';
  return simulator.url;
}

/** `npm start`: Temporal dev server + worker + webhook (+ ServiceNow simulator) in one process. */
runMain('incident-bridge', async ({ logger }) => {
  const env = { ...process.env };
  const stops: Stop[] = [];
  onShutdownSignal(async () => {
    logger.info('stopping');
    for (const stop of stops.reverse()) await stop().catch((error) => logger.warn({ err: error }, 'stop failed'));
  });
  await ensureTemporal(env, logger, stops);
  const simulatorUrl = await ensureServiceNow(env, stops);
  if (!env.WEBHOOK_SECRET && !env.WEBHOOK_SECRET_FILE) {
    env.WEBHOOK_SECRET = DEV_WEBHOOK_SECRET;
    logger.warn('WEBHOOK_SECRET not set: using the development secret documented in the README');
  }
  const temporal = temporalConfigFromEnv(env);
  env.METRICS_HOST ??= '127.0.0.1';
  const observability = await startWorkerObservability(env, { logger });
  stops.push(() => observability.close());
  const worker = await startWorker(env, { logger, temporal, metrics: observability.metrics });
  stops.push(() => worker.shutdown());
  const api = await startApi(env, { logger, temporal });
  stops.push(() => api.close());
  console.log(
    [
      '',
      'incident-bridge is running',
      `  webhook      POST ${api.url}/hasura/events   (header ${env.WEBHOOK_SECRET_HEADER ?? 'x-webhook-secret'})`,
      `  Temporal UI  ${temporal.uiUrl}`,
      `  ServiceNow   ${simulatorUrl ? `${simulatorUrl}  (built-in simulator; records at ${simulatorUrl}/_sim/records/incident)` : env.SERVICENOW_INSTANCE_URL}`,
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
});
