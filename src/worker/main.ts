import { temporalConfigFromEnv } from '../config/temporal';
import { runMain } from '../main-helpers';
import { startWorkerObservability } from '../metrics/worker-observability';
import { startWorker } from './run';

/** `npm run worker`: one worker process; scale out by running more. SIGINT/SIGTERM drain it. */
runMain('worker', async ({ logger }) => {
  // Before startWorker: the SDK Runtime must be installed before the first connection.
  const observability = await startWorkerObservability(process.env, { logger });
  const running = await startWorker(process.env, { logger, temporal: temporalConfigFromEnv(process.env), metrics: observability.metrics });
  await running.done;
  await observability.close();
});
