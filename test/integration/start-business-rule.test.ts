import { startServiceNowSimulator, type ServiceNowSimulator } from '../../dev/simulator/servicenow/server';
import { simulatorBusinessRule } from '../../dev/start-business-rule';
import { startApi, type RunningApi } from '../../src/api/server';
import { createLogger } from '../../src/logging';
import { loadWebhookSettings } from '../../src/settings/webhook';
import { connectTestTemporal, testTemporalAddress, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { rowTicketKey } from '../helpers/correlation';

/**
 * What `npm start` wires (dev/start.ts): with SERVICENOW_EVENTS_SECRET set, the embedded simulator's
 * business rule posts an agent's change to the embedded webhook, which accepts it; unset, no rule.
 */
const BASIC = `Basic ${Buffer.from('bridge:bridge-password').toString('base64')}`;
const logger = createLogger({ level: 'silent' });
let sim: ServiceNowSimulator;
let temporal: TestTemporal;
let api: RunningApi | undefined;

function webhookEnv(extra: Record<string, string>) {
  return {
    TEMPORAL_ADDRESS: testTemporalAddress(),
    TEMPORAL_TASK_QUEUE: uniqueTaskQueue('start-rule'), // nothing polls it: the webhook only starts workflows
    HOST: '127.0.0.1',
    PORT: '0',
    WEBHOOK_SECRET: 'test-webhook-secret',
    ...extra,
  };
}

async function incident(correlationId: string): Promise<string> {
  const response = await fetch(`${sim.url}/api/now/table/incident`, {
    method: 'POST',
    headers: { authorization: BASIC, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ short_description: 'x', correlation_id: correlationId }),
  });
  return ((await response.json()) as { result: { sys_id: string } }).result.sys_id;
}

beforeAll(async () => {
  sim = await startServiceNowSimulator({ port: 0, seed: 14 });
  temporal = await connectTestTemporal();
});
afterEach(async () => {
  await api?.close();
  api = undefined;
  sim.reset();
});
afterAll(async () => {
  await sim.close();
  await temporal.close();
});

test.each(['header', 'hmac'])(
  'when npm start runs with SERVICENOW_EVENTS_SECRET set (%s), then an agent change reaches the webhook',
  async (auth) => {
    const settings = loadWebhookSettings(
      webhookEnv({
        SERVICENOW_EVENTS_SECRET: 'a-32-byte-or-longer-secret-for-npm-start',
        SERVICENOW_EVENTS_AUTH: auth,
      }),
    );
    api = await startApi(settings, { logger });
    const rule = simulatorBusinessRule(settings.servicenowEvents, api.url);
    expect(rule).toMatchObject({ url: `${api.url}/servicenow/events`, auth });
    sim.configureBusinessRule(rule);
    const sysId = await incident(rowTicketKey('incident_lifecycle', 'public.incident_request', 1));
    const changed = sim.agentUpdate(sysId, { user: 'ann.agent', fields: { state: '2' } });
    await sim.outboundSettled();
    expect(sim.businessRuleStats()).toMatchObject({ sent: 1, failed: 0 });
    const id = `servicenow-incident-${sysId}-${changed.sys_mod_count}`;
    expect((await temporal.client.workflow.getHandle(id).describe()).workflowId).toBe(id);
  },
);

test('when npm start runs without SERVICENOW_EVENTS_SECRET, then the simulator gets no business rule', async () => {
  const settings = loadWebhookSettings(webhookEnv({}));
  api = await startApi(settings, { logger });
  expect(simulatorBusinessRule(settings.servicenowEvents, api.url)).toBeUndefined();
});
