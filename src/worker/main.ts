import { loadWorkerSettings } from '../settings/worker';
import { runMain } from '../main-helpers';
import { startWorkerObservability } from '../metrics/worker-observability';
import { startWorker } from './run';

/** `npm run worker`: one worker process; scale out by running more. SIGINT/SIGTERM drain it. */
runMain(
  'worker',
  () => loadWorkerSettings(process.env),
  async ({ logger, settings }) => {
    // Before startWorker: the SDK Runtime must be installed before the first connection.
    const observability = await startWorkerObservability(settings.metrics, { logger });
    const running = await startWorker(settings, { logger, metrics: observability.metrics });
    await running.done;
    await observability.close();
  },
);
