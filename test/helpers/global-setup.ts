import { startDevServer } from '../../dev/temporal/dev-server';

/**
 * One real Temporal dev server (from the provisioned CLI) for the whole run; each test file uses its
 * own task queue. Its address reaches the test workers through the environment.
 */
export default async function globalSetup(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { resolveTemporalCli } = require('../../scripts/temporal-cli.js');
  const cliPath: string = resolveTemporalCli();
  const server = await startDevServer({ cliPath, headless: false, startupTimeoutMs: 60_000 });
  process.env.TEMPORAL_CLI_PATH = cliPath;
  process.env.TEST_TEMPORAL_ADDRESS = server.address;
  process.env.TEST_TEMPORAL_UI_URL = server.uiUrl;
  (globalThis as { __temporalDevServer?: typeof server }).__temporalDevServer = server;
}
