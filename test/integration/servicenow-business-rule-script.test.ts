import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/api/app';
import { renderServiceNowScript } from '../../src/cli/servicenow-script';
import { Secret } from '../../src/common/secret';
import type { ServiceNowEventsConfig } from '../../src/config/settings';
import { createLogger } from '../../src/logging';
import { createEventStarter } from '../../src/starting/event-starter';
import { createServiceNowChangeStarter } from '../../src/starting/servicenow-change-starter';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { runBusinessRule, type InstanceState } from '../helpers/rhino-sandbox';

/**
 * The Business Rule `npm run servicenow-script` prints, run as a ServiceNow instance runs it (ES5,
 * Glide APIs as documented; test/helpers/rhino-sandbox.ts), and its request sent to the real receiver.
 */
const SECRET = 'a-32-byte-or-longer-shared-secret-for-the-rule';
const CREDENTIAL_SYS_ID = '0123456789abcdef0123456789abcdef';
const TRIGGER = 'incident_lifecycle';
/**
 * The instance after the admin followed the printed setup; plus the password2 property an earlier setup
 * said to read with gs.getProperty, which gives its ciphertext (the review's M5), so reading it fails.
 */
const INSTANCE: InstanceState = {
  properties: {
    'x_incident_bridge.events_secret': { type: 'password2', value: SECRET },
    'x_incident_bridge.events_credential': { type: 'string', value: CREDENTIAL_SYS_ID },
  },
  credentials: { [CREDENTIAL_SYS_ID]: { user_name: 'incident-bridge', password: SECRET } },
};
const logger = createLogger({ level: 'silent' });
let temporal: TestTemporal;
let counter = 0;

/** The printed rule's script condition (if any) and script, as an admin pastes them. */
function printedRule(signing: Pick<ServiceNowEventsConfig, 'auth' | 'header'>) {
  const text = renderServiceNowScript({ trigger: TRIGGER, table: 'incident', receiverUrl: 'https://x', signing });
  const lines = text.split('\n');
  const condition = lines.find((line) => line.startsWith('Condition: '))?.slice('Condition: '.length);
  const start = lines.indexOf('Script:') + 1;
  const script = lines.slice(start, lines.indexOf('', start)).join('\n');
  return { condition, script };
}

function incident(correlationId: string) {
  counter += 1;
  const sysId = `${Date.now().toString(16)}${counter.toString(16)}`.padStart(32, 'c').slice(-32);
  const fields = { sys_id: sysId, number: 'INC0010042', sys_mod_count: '4', sys_updated_by: 'agent.smith' };
  return { table: 'incident', fields: { ...fields, correlation_id: correlationId } };
}

async function receiver(config: ServiceNowEventsConfig): Promise<{ url: string; close: () => Promise<void> }> {
  const taskQueue = uniqueTaskQueue('sn-rule'); // nothing polls it: the route only has to start the workflow
  const app = createApp({
    starter: createEventStarter({ client: temporal.client, taskQueue }),
    logger,
    webhook: {
      secrets: [new Secret('hasura-secret')],
      secretHeader: 'x-webhook-secret',
      bodyLimit: '64kb',
      retryAfterSeconds: 1,
    },
    servicenowEvents: { config, starter: createServiceNowChangeStarter({ client: temporal.client, taskQueue }) },
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/servicenow/events`;
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

beforeAll(async () => {
  temporal = await connectTestTemporal();
});
afterAll(async () => temporal?.close());

describe.each([
  { auth: 'header' as const, header: 'x-servicenow-secret' },
  { auth: 'hmac' as const, header: 'x-servicenow-signature' },
])('the printed Business Rule ($auth)', (signing) => {
  test('when it runs on an ES5 engine for a ticket of the trigger, then it sends one request', () => {
    const run = runBusinessRule(printedRule(signing), incident(`${TRIGGER}:public.incident_request:7`), INSTANCE);
    expect(run.logs).toEqual([]);
    expect(run.sent).toHaveLength(1);
    expect(run.sent[0]).toMatchObject({ restMessage: 'incident-bridge', method: 'post change' });
  });

  test('when the ticket is not one of the trigger, then it sends nothing', () => {
    for (const correlationId of ['', 'other_trigger:public.x:1', `x${TRIGGER}:public.incident_request:7`]) {
      expect(runBusinessRule(printedRule(signing), incident(correlationId), INSTANCE).sent).toEqual([]);
    }
  });

  test('when its request reaches the receiver, then the secret read from the instance passes and the change starts', async () => {
    const record = incident(`${TRIGGER}:public.incident_request:7`);
    const { script } = printedRule(signing);
    const [request] = runBusinessRule({ script }, record, INSTANCE).sent;
    const server = await receiver({ ...signing, secrets: [new Secret(SECRET)] });
    try {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...request?.headers },
        body: request?.body,
      });
      expect({ status: response.status, body: await response.json() }).toEqual({
        status: 200,
        body: { accepted: true, workflowId: `servicenow-incident-${record.fields.sys_id}-4`, duplicate: false },
      });
    } finally {
      await server.close();
    }
  });
});
