import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startServiceNowSimulator, type ServiceNowSimulator } from '../../dev/simulator/servicenow/server';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

const BASIC = `Basic ${Buffer.from('bridge:bridge-password').toString('base64')}`;
const JSON_HEADERS = { authorization: BASIC, 'content-type': 'application/json', accept: 'application/json' };
let sim: ServiceNowSimulator;
let receiver: Server;
let receiverUrl: string;
let received: Received[] = [];
let answer = 200;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/servicenow/events`;
  sim = await startServiceNowSimulator({ port: 0, seed: 14 });
});
afterEach(() => {
  sim.reset();
  received = [];
  answer = 200;
});
afterAll(async () => {
  await sim.close();
  await new Promise((resolve) => receiver.close(resolve));
});

async function createIncident(): Promise<Record<string, string>> {
  const res = await fetch(`${sim.url}/api/now/table/incident?sysparm_exclude_reference_link=true`, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify({ short_description: 'x', correlation_id: 'orders:public.orders:1' }),
  });
  return ((await res.json()) as { result: Record<string, string> }).result;
}

const patch = (sysId: string, body: object) =>
  fetch(`${sim.url}/api/now/table/incident/${sysId}`, {
    method: 'PATCH',
    headers: JSON_HEADERS,
    body: JSON.stringify(body),
  });

describe('sys fields', () => {
  test('when an agent changes a record, then sys_mod_count counts up, sys_updated_by names the agent and sys_updated_on is UTC seconds', async () => {
    const created = await createIncident();
    expect(created.sys_mod_count).toBe('0');
    expect(created.sys_updated_by).toBe('bridge');
    const after = sim.agentUpdate(created.sys_id, { user: 'ann.agent', fields: { assignment_group: 'network' } });
    expect(after.sys_mod_count).toBe('1');
    expect(after.sys_updated_by).toBe('ann.agent');
    expect(after.sys_updated_on).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(Math.abs(Date.parse(`${after.sys_updated_on.replace(' ', 'T')}Z`) - Date.now())).toBeLessThan(60_000);
  });

  test('when records are queried by sys_updated_on and correlation prefix, then the query answers in order', async () => {
    const created = await createIncident();
    const res = await fetch(
      `${sim.url}/api/now/table/incident?sysparm_query=${encodeURIComponent(
        `correlation_idSTARTSWITHorders:^sys_updated_on>=${created.sys_updated_on}^ORDERBYsys_updated_on`,
      )}&sysparm_fields=sys_id,sys_mod_count`,
      { headers: JSON_HEADERS },
    );
    expect(((await res.json()) as { result: unknown[] }).result).toEqual([
      { sys_id: created.sys_id, sys_mod_count: '0' },
    ]);
    const later = await fetch(
      `${sim.url}/api/now/table/incident?sysparm_query=${encodeURIComponent('sys_updated_on>2999-01-01 00:00:00')}`,
      { headers: JSON_HEADERS },
    );
    expect(((await later.json()) as { result: unknown[] }).result).toEqual([]);
  });
});

describe('the business rule posting changes out', () => {
  test('when an agent resolves a record, then one call carries table, sys_id and sys_mod_count with the secret header', async () => {
    sim.configureBusinessRule({ url: receiverUrl, secret: 's3cret' });
    const created = await createIncident();
    sim.agentUpdate(created.sys_id, { fields: { state: '6', close_code: 'Solution provided', close_notes: 'done' } });
    await sim.outboundSettled();
    expect(received).toHaveLength(1);
    expect(received[0].headers['x-servicenow-secret']).toBe('s3cret');
    expect(JSON.parse(received[0].body)).toMatchObject({
      table: 'incident',
      sys_id: created.sys_id,
      sys_mod_count: 1,
    });
    expect(sim.businessRuleStats()).toEqual({ sent: 1, dropped: 0, failed: 0, skipped: 0 });
  });

  test('when the rule signs, then the header is the base64 HMAC-SHA256 of the exact body', async () => {
    sim.configureBusinessRule({ url: receiverUrl, secret: 'k', auth: 'hmac' });
    const created = await createIncident();
    await patch(created.sys_id, { urgency: '1' });
    await sim.outboundSettled();
    const [call] = received;
    expect(call.headers['x-servicenow-signature']).toBe(createHmac('sha256', 'k').update(call.body).digest('base64'));
  });

  test('when the update is made with setWorkflow(false), then no call is made', async () => {
    sim.configureBusinessRule({ url: receiverUrl, secret: 's' });
    const created = await createIncident();
    sim.agentUpdate(created.sys_id, { fields: { urgency: '2' }, setWorkflow: false });
    await sim.outboundSettled();
    expect(received).toHaveLength(0);
    expect(sim.businessRuleStats().skipped).toBe(1);
  });

  test('when the drop rate is 1, then no call leaves; at 0.5 some do and some do not, and none is retried', async () => {
    sim.configureBusinessRule({ url: receiverUrl, secret: 's', dropRate: 1 });
    const created = await createIncident();
    sim.agentUpdate(created.sys_id, { fields: { urgency: '2' } });
    expect(sim.businessRuleStats().dropped).toBe(1);
    sim.configureBusinessRule({ url: receiverUrl, secret: 's', dropRate: 0.5 });
    for (let i = 0; i < 20; i += 1) sim.agentUpdate(created.sys_id, { fields: { urgency: String((i % 3) + 1) } });
    await sim.outboundSettled();
    const { sent, dropped } = sim.businessRuleStats();
    expect(sent).toBe(received.length);
    expect(sent + dropped).toBe(21);
    expect(sent).toBeGreaterThan(0);
    expect(dropped).toBeGreaterThan(1);
  });

  test('when the receiver answers 503, then the call counts as failed and is not retried', async () => {
    answer = 503;
    sim.configureBusinessRule({ url: receiverUrl, secret: 's' });
    const created = await createIncident();
    sim.agentUpdate(created.sys_id, { fields: { urgency: '2' } });
    await sim.outboundSettled();
    expect(received).toHaveLength(1);
    expect(sim.businessRuleStats()).toMatchObject({ sent: 0, failed: 1 });
  });

  test('when configured through the admin API, then agent updates there post too', async () => {
    const put = await fetch(`${sim.url}/_sim/business-rule`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiverUrl, secret: 's' }),
    });
    expect(((await put.json()) as { rule: { secret: string } }).rule.secret).toBe('<secret>');
    const created = await createIncident();
    const res = await fetch(`${sim.url}/_sim/records/incident/${created.sys_id}/agent-update`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'bob', fields: { comments: 'looking at it' } }),
    });
    expect(((await res.json()) as { result: Record<string, string> }).result.sys_updated_by).toBe('bob');
    await sim.outboundSettled();
    expect(received).toHaveLength(1);
    const bad = await fetch(`${sim.url}/_sim/business-rule`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'nope' }),
    });
    expect(bad.status).toBe(400);
  });
});
