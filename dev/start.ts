import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startApi } from '../src/api/server';
import type { Env } from '../src/settings/env';
import { loadWebhookSettings } from '../src/settings/webhook';
import { loadWorkerSettings } from '../src/settings/worker';
import { onShutdownSignal, runMain } from '../src/main-helpers';
import { loadStartSettings, type StartSettings } from './start-settings';
import { startServiceNowSimulator, type ServiceNowSimulator } from './simulator/servicenow/server';
import { simulatorBusinessRule } from './start-business-rule';
import { startDevServer } from './temporal/dev-server';
import { startWorker } from '../src/worker/run';
import { startWorkerObservability } from '../src/metrics/worker-observability';
import type { Logger } from '../src/logging';
import { packageRoot } from '../src/package-root';

/** Only for `npm start` on a laptop; any real deployment sets WEBHOOK_SECRET (README). */
export const DEV_WEBHOOK_SECRET = 'local-dev-secret';

type Stop = () => Promise<void>;

/** Variables for the embedded webhook and worker: `defaults` yield to the caller's, `overrides` win. */
interface Started {
  defaults: Env;
  overrides: Env;
}

async function ensureTemporal(settings: StartSettings, logger: Logger, stops: Stop[]): Promise<Started> {
  const address = settings.temporalAddress;
  if (address) {
    logger.info({ address }, 'using the configured Temporal server');
    return { defaults: {}, overrides: {} };
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { resolveTemporalCli } = require(path.join(packageRoot(), 'scripts', 'temporal-cli.js'));
  const { dataDir, port, uiPort } = settings.devServer;
  mkdirSync(dataDir, { recursive: true });
  const dbFile = path.join(dataDir, 'temporal.sqlite');
  const server = await startDevServer({ cliPath: resolveTemporalCli(), port, uiPort, dbFile });
  stops.push(server.stop);
  return { defaults: { TEMPORAL_UI_URL: server.uiUrl }, overrides: { TEMPORAL_ADDRESS: server.address } };
}

async function ensureServiceNow(
  settings: StartSettings,
  stops: Stop[],
): Promise<Started & { simulator?: ServiceNowSimulator }> {
  if (!settings.simulator) return { defaults: {}, overrides: {} };
  const simulator = await startServiceNowSimulator(settings.simulator);
  stops.push(() => simulator.close());
  const [user] = settings.simulator.users ?? [];
  const overrides = {
    SERVICENOW_INSTANCE_URL: simulator.url,
    SERVICENOW_AUTH: 'basic',
    SERVICENOW_USERNAME: user?.username ?? 'bridge',
    SERVICENOW_PASSWORD: user?.password ?? 'bridge-password',
  };
  return { defaults: {}, overrides, simulator };
}

/** `npm start`: Temporal dev server + worker + webhook (+ ServiceNow simulator) in one process. */
runMain(
  'incident-bridge',
  () => loadStartSettings(process.env),
  async ({ logger, settings }) => {
    const stops: Stop[] = [];
    onShutdownSignal(async () => {
      logger.info('stopping');
      for (const stop of stops.reverse()) await stop().catch((error) => logger.warn({ err: error }, 'stop failed'));
    });
    const temporal = await ensureTemporal(settings, logger, stops);
    const serviceNow = await ensureServiceNow(settings, stops);
    if (settings.devWebhookSecret) {
      logger.warn('WEBHOOK_SECRET not set: using the development secret documented in the README');
    }
    const defaults = {
      METRICS_HOST: '127.0.0.1',
      ...(settings.devWebhookSecret && { WEBHOOK_SECRET: DEV_WEBHOOK_SECRET }),
      ...temporal.defaults,
    };
    // The embedded processes read what they would read on their own, plus what this launcher started.
    const env: Env = { ...defaults, ...process.env, ...temporal.overrides, ...serviceNow.overrides };
    const [workerSettings, webhookSettings] = [loadWorkerSettings(env), loadWebhookSettings(env)];
    const observability = await startWorkerObservability(workerSettings.metrics, { logger });
    stops.push(() => observability.close());
    const worker = await startWorker(workerSettings, { logger, metrics: observability.metrics });
    stops.push(() => worker.shutdown());
    const api = await startApi(webhookSettings, { logger });
    stops.push(() => api.close());
    const simulatorUrl = serviceNow.simulator?.url;
    const rule = serviceNow.simulator && simulatorBusinessRule(webhookSettings.servicenowEvents, api.url);
    if (rule) serviceNow.simulator?.configureBusinessRule(rule);
    const serviceNowLine = simulatorUrl
      ? `${simulatorUrl}  (built-in simulator; records at ${simulatorUrl}/_sim/records/incident)`
      : settings.serviceNowUrl;
    console.log(
      [
        '',
        'incident-bridge is running',
        `  webhook      POST ${api.url}/hasura/events   (header ${webhookSettings.http.secretHeader})`,
        `  Temporal UI  ${workerSettings.temporal.uiUrl}`,
        `  ServiceNow   ${serviceNowLine}`,
        ...(rule ? [`  ServiceNow → row  the simulator's business rule posts to ${rule.url}`] : []),
        '  Ctrl-C stops everything.',
        '',
      ].join('\n'),
    );
  },
);
