import { loadWebhookSettings } from '../settings/webhook';
import { onShutdownSignal, runMain } from '../main-helpers';
import { startApi } from './server';

/** `npm run api`: the webhook alone; scale out behind a load balancer. */
runMain(
  'api',
  () => loadWebhookSettings(process.env),
  async ({ logger, settings }) => {
    const api = await startApi(settings, { logger });
    onShutdownSignal(async (signal) => {
      logger.info({ signal }, 'stopping webhook');
      await api.close();
    });
  },
);
