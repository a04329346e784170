import { onShutdownSignal, runMain } from '../../src/main-helpers';
import { loadSimulatorSettings } from './env';
import { startServiceNowSimulator } from './servicenow/server';

/** `npm run simulator`: a ServiceNow Table API stand-in for local runs and compose (never production). */
runMain(
  'servicenow-simulator',
  () => loadSimulatorSettings(process.env),
  async ({ settings }) => {
    const simulator = await startServiceNowSimulator(settings.simulator);
    onShutdownSignal(() => simulator.close());
    console.log(`ServiceNow simulator listening on ${simulator.url} (admin API at ${simulator.url}/_sim)`);
  },
);
