import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { Agent, request } from 'undici';
import { logSettingsFromEnv } from '../../src/settings/logging';
import { temporalConnectionFromEnv } from '../../src/settings/temporal';
import { connectionOptions } from '../../src/config/temporal';
import { runMain } from '../../src/main-helpers';
import type { TrivialIncidentInput } from './trivial-workflow-type';

/** The same pool the bridge's ServiceNow client uses, so the ceiling has the same connection budget. */
function createTrivialActivities(env: NodeJS.ProcessEnv) {
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 32 });
  const url = `${env.SERVICENOW_INSTANCE_URL}/api/now/table/incident`;
  const authorization = `Basic ${Buffer.from(`${env.SERVICENOW_USERNAME}:${env.SERVICENOW_PASSWORD}`).toString('base64')}`;
  return {
    async createTrivialIncident(input: TrivialIncidentInput): Promise<void> {
      const body = JSON.stringify({ short_description: 'bench ceiling', correlation_id: input.correlationId });
      const response = await request(url, {
        method: 'POST',
        dispatcher: agent,
        headers: { authorization, 'content-type': 'application/json', accept: 'application/json' },
        body,
      });
      await response.body.text();
      if (response.statusCode >= 300) throw new Error(`simulator answered ${response.statusCode}`);
    },
  };
}

/** `node dist/dev/bench/trivial-worker.js`: the ceiling's worker, a separate process like the bridge's. */
const loadSettings = () => ({ log: logSettingsFromEnv(process.env), temporal: temporalConnectionFromEnv(process.env) });

runMain('bench-trivial-worker', loadSettings, async ({ logger, settings: { temporal } }) => {
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('./trivial-workflow'),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
  });
  const connection = await NativeConnection.connect(connectionOptions(temporal));
  const worker = await Worker.create({
    connection,
    namespace: temporal.namespace,
    taskQueue: temporal.taskQueue,
    workflowBundle,
    activities: createTrivialActivities(process.env),
  });
  logger.info({ taskQueue: temporal.taskQueue }, 'worker running');
  await worker.run();
  await connection.close();
});
