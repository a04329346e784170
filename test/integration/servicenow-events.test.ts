import { createHmac } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import request from 'supertest';
import { createApp } from '../../src/api/app';
import { createEventStarter } from '../../src/starting/event-starter';
import { createServiceNowChangeStarter } from '../../src/starting/servicenow-change-starter';
import { Secret } from '../../src/common/secret';
import type { ServiceNowEventsConfig } from '../../src/config/settings';
import { serviceNowChangeWorkflowIdFor } from '../../src/contract';
import { createLogger } from '../../src/logging';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';

const webhook = {
  secrets: [new Secret('hasura-secret')],
  secretHeader: 'x-webhook-secret',
  bodyLimit: '64kb',
  retryAfterSeconds: 7,
};
const secrets = [new Secret('sn-current'), new Secret('sn-previous')];
const HEADER: ServiceNowEventsConfig = { auth: 'header', secrets, header: 'x-servicenow-secret' };
const HMAC: ServiceNowEventsConfig = { auth: 'hmac', secrets, header: 'x-servicenow-signature' };
const logger = createLogger({ level: 'silent' });
let temporal: TestTemporal;
let taskQueue: string;
let counter = 0;

function appFor(config: ServiceNowEventsConfig, client = temporal.client) {
  const starter = createEventStarter({ client, taskQueue });
  const servicenow = createServiceNowChangeStarter({ client, taskQueue, startTimeoutMs: 2_000 });
  return createApp({ starter, logger, webhook, servicenowEvents: { config, starter: servicenow } });
}

/** A fresh record identity per test, so workflow ids never collide across tests and runs. */
function change(mod: number | string | null = 3) {
  counter += 1;
  const sysId = `${Date.now().toString(16)}${counter.toString(16)}`.padStart(32, 'a').slice(-32);
  return { table: 'incident', sys_id: sysId, ...(mod !== null && { sys_mod_count: mod }), number: 'INC0010001' };
}

const sign = (body: string, key: string) => createHmac('sha256', key).update(body).digest('base64');

function post(app: ReturnType<typeof appFor>, body: string, headers: Record<string, string>) {
  return request(app)
    .post('/servicenow/events')
    .set({ 'content-type': 'application/json', ...headers })
    .send(body);
}

async function exists(workflowId: string): Promise<boolean> {
  try {
    await temporal.client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (error) {
    if (/not found/i.test(String(error))) return false;
    throw error;
  }
}

beforeAll(async () => {
  temporal = await connectTestTemporal();
  taskQueue = uniqueTaskQueue('sn-events'); // nothing polls it: the route only has to start workflows
});
afterAll(async () => temporal?.close());

describe('shared-secret header', () => {
  test('when the header is missing or wrong, then 401 with the same body and nothing starts', async () => {
    const app = appFor(HEADER);
    const body = change();
    const missing = await post(app, JSON.stringify(body), {});
    const wrong = await post(app, JSON.stringify(body), { 'x-servicenow-secret': 'guess' });
    expect([missing.status, wrong.status]).toEqual([401, 401]);
    expect(wrong.body).toEqual(missing.body);
    const id = serviceNowChangeWorkflowIdFor({ table: 'incident', sysId: body.sys_id, modCount: 3 });
    expect(await exists(id)).toBe(false);
  });

  test.each(['sn-current', 'sn-previous'])('when %s is presented, then the change starts its workflow', async (key) => {
    const body = change(4);
    const response = await post(appFor(HEADER), JSON.stringify(body), { 'x-servicenow-secret': key });
    expect(response.status).toBe(200);
    const id = `servicenow-incident-${body.sys_id}-4`;
    expect(response.body).toEqual({ accepted: true, workflowId: id, duplicate: false });
    expect(await exists(id)).toBe(true);
  });

  test('when the Hasura secret is presented, then 401: the two callers have separate secrets', async () => {
    const response = await post(appFor(HEADER), JSON.stringify(change()), { 'x-servicenow-secret': 'hasura-secret' });
    expect(response.status).toBe(401);
  });
});

describe('HMAC signature', () => {
  test.each(['sn-current', 'sn-previous'])('when the body is signed with %s, then 200', async (key) => {
    const text = JSON.stringify(change());
    const response = await post(appFor(HMAC), text, { 'x-servicenow-signature': sign(text, key) });
    expect(response.status).toBe(200);
  });

  test.each([
    ['signed with another key', (text: string) => sign(text, 'guess')],
    ['signed over another body', (text: string) => sign(`${text} `, 'sn-current')],
    ['hex instead of base64', (text: string) => createHmac('sha256', 'sn-current').update(text).digest('hex')],
    ['the secret itself', () => 'sn-current'],
    ['empty', () => ''],
  ])('when the signature is %s, then 401 and nothing starts', async (_name, signature) => {
    const body = change(5);
    const text = JSON.stringify(body);
    const response = await post(appFor(HMAC), text, { 'x-servicenow-signature': signature(text) });
    expect(response.status).toBe(401);
    expect(await exists(`servicenow-incident-${body.sys_id}-5`)).toBe(false);
  });
});

describe('the body', () => {
  const authed = (text: string) => post(appFor(HEADER), text, { 'x-servicenow-secret': 'sn-current' });

  test.each([
    ['not JSON', '{"table":', 'invalid_event', ''],
    ['without sys_id', JSON.stringify({ table: 'incident' }), 'invalid_event', 'sys_id'],
    ['with a sys_id that is not one', JSON.stringify({ table: 'incident', sys_id: 'x' }), 'invalid_event', 'sys_id'],
    ['with a table that is not one', JSON.stringify({ ...change(), table: 'Inc; drop' }), 'invalid_event', 'table'],
    ['with a negative sys_mod_count', JSON.stringify(change(-1)), 'invalid_event', 'sys_mod_count'],
  ])('when it is %s, then 400 naming the problem', async (_name, text, code, names) => {
    const response = await authed(text);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe(code);
    expect(response.body.message).toContain(names);
  });

  test('when the content type is not JSON, then 415', async () => {
    const response = await post(appFor(HEADER), 'x', {
      'x-servicenow-secret': 'sn-current',
      'content-type': 'text/plain',
    });
    expect(response.status).toBe(415);
  });

  test('when the same change comes twice, then one workflow: the second joins the first', async () => {
    const text = JSON.stringify(change('7'));
    const first = await authed(text);
    const second = await authed(text);
    expect(second.body.workflowId).toBe(first.body.workflowId);
    expect(first.body.workflowId).toMatch(/-7$/);
    const runs = await temporal.client.workflow.list({ query: `WorkflowId = '${first.body.workflowId}'` });
    let count = 0;
    for await (const _run of runs) count += 1;
    expect(count).toBe(1);
  });

  test('when sys_mod_count is not sent, then the workflow id ends in latest and an id of its own', async () => {
    const response = await authed(JSON.stringify(change(null)));
    expect(response.status).toBe(200);
    expect(response.body.workflowId).toMatch(/-latest-[0-9a-f-]{36}$/);
  });
});

test('when Temporal does not answer, then 503 with Retry-After', async () => {
  const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 });
  const app = appFor(HEADER, new Client({ connection }));
  const response = await post(app, JSON.stringify(change()), { 'x-servicenow-secret': 'sn-current' });
  expect(response.status).toBe(503);
  expect(response.headers['retry-after']).toBe('7');
  expect(response.body.error).toBe('temporal_unavailable');
  await connection.close();
});

test('when no ServiceNow secret is configured, then the route does not exist', async () => {
  const app = createApp({ starter: createEventStarter({ client: temporal.client, taskQueue }), logger, webhook });
  const response = await post(app, JSON.stringify(change()), { 'x-servicenow-secret': 'sn-current' });
  expect(response.status).toBe(404);
});
