import { temporalConfigFromEnv } from '../config/temporal';
import { onShutdownSignal, runMain } from '../main-helpers';
import { startApi } from './server';

/** `npm run api`: the webhook alone; scale out behind a load balancer. */
runMain('api', async ({ logger }) => {
  const api = await startApi(process.env, { logger, temporal: temporalConfigFromEnv(process.env) });
  onShutdownSignal(async (signal) => {
    logger.info({ signal }, 'stopping webhook');
    await api.close();
  });
});
