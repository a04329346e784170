import { temporalConfigFromEnv } from '../config/temporal';
import { runMain } from '../main-helpers';
import { startWorker } from './run';

/** `npm run worker`: one worker process; scale out by running more. SIGINT/SIGTERM drain it. */
runMain('worker', async ({ logger }) => {
  const running = await startWorker(process.env, { logger, temporal: temporalConfigFromEnv(process.env) });
  await running.done;
});
