import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import request from 'supertest';
import { createApp } from '../../src/api/app';
import { workflowIdFor } from '../../src/contract';
import { createEventStarter } from '../../src/starting/event-starter';
import { Secret } from '../../src/common/secret';
import { createLogger } from '../../src/logging';
import { hasuraEventBody } from '../helpers/hasura';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';

const webhook = {
  secrets: [new Secret('current-secret'), new Secret('previous-secret')],
  secretHeader: 'x-webhook-secret',
  bodyLimit: '64kb',
  retryAfterSeconds: 7,
};
const logger = createLogger({ level: 'silent' });
let temporal: TestTemporal;
let taskQueue: string;

function appFor(client: Client) {
  return createApp({ starter: createEventStarter({ client, taskQueue, startTimeoutMs: 2_000 }), logger, webhook });
}

const post = (app: ReturnType<typeof appFor>, body: unknown, secret = 'current-secret') =>
  request(app)
    .post('/hasura/events')
    .set('x-webhook-secret', secret)
    .set('content-type', 'application/json')
    .send(JSON.stringify(body));

beforeAll(async () => {
  temporal = await connectTestTemporal();
  taskQueue = uniqueTaskQueue('webhook'); // no worker polls it: workflows only need to be started
});
afterAll(async () => temporal?.close());

describe('authentication', () => {
  test('when the secret header is missing or wrong, then 401 with the same body and nothing starts', async () => {
    const app = appFor(temporal.client);
    const body = hasuraEventBody();
    const missing = await request(app).post('/hasura/events').send(body);
    const wrong = await post(app, body, 'guess');
    expect(missing.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual(missing.body);
    await expect(
      temporal.client.workflow.getHandle(workflowIdFor('create_servicenow_incident', String(body.id))).describe(),
    ).rejects.toThrow(/not found/i);
  });

  test('when the previous secret is presented during a rotation, then it is accepted', async () => {
    const response = await post(appFor(temporal.client), hasuraEventBody(), 'previous-secret');
    expect(response.status).toBe(200);
  });
});

describe('bad input', () => {
  test.each([
    ['not JSON', 400, 'invalid_json', '{"id":'],
    ['a JSON array', 400, 'invalid_event', '[]'],
    ['over the limit', 413, 'payload_too_large', JSON.stringify({ pad: 'x'.repeat(70_000) })],
  ])('when the body is %s, then %d %s', async (_name, status, code, raw) => {
    const response = await request(appFor(temporal.client))
      .post('/hasura/events')
      .set('x-webhook-secret', 'current-secret')
      .set('content-type', 'application/json')
      .send(raw);
    expect(response.status).toBe(status);
    expect(response.body.error).toBe(code);
  });

  test('when the content type is not JSON, then 415', async () => {
    const response = await request(appFor(temporal.client))
      .post('/hasura/events')
      .set('x-webhook-secret', 'current-secret')
      .set('content-type', 'text/plain')
      .send('hi');
    expect(response.status).toBe(415);
  });

  test('when a required field is wrong, then 400 names it', async () => {
    const body = hasuraEventBody({ op: 'UPDATE', old: null });
    const response = await post(appFor(temporal.client), body);
    expect(response.status).toBe(400);
    expect(response.body.message).toContain('event.data.old');
  });
});

describe('accepting events', () => {
  test.each(['INSERT', 'UPDATE', 'DELETE', 'MANUAL'] as const)(
    'when a valid %s arrives, then its workflow starts with searchable attributes',
    async (op) => {
      const body = hasuraEventBody({ op, createdAtStyle: op === 'MANUAL' ? 'zulu' : 'local' });
      const response = await post(appFor(temporal.client), { ...body, future_field: { added: 'by a newer Hasura' } });
      expect(response.status).toBe(200);
      const workflowId = workflowIdFor('create_servicenow_incident', String(body.id));
      expect(response.body).toMatchObject({ accepted: true, workflowId, duplicate: false });
      const description = await temporal.client.workflow.getHandle(workflowId).describe();
      expect(description.status.name).toBe('RUNNING');
      expect(description.searchAttributes).toMatchObject({
        HasuraOp: [op],
        HasuraEventId: [body.id],
        TicketStatus: ['received'],
      });
    },
  );

  test('when the same event is delivered twice, then both answers name one workflow and one run exists', async () => {
    const app = appFor(temporal.client);
    const body = hasuraEventBody();
    const [first, second] = await Promise.all([post(app, body), post(app, body)]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.body.workflowId).toBe(first.body.workflowId);
    expect(second.body.runId).toBe(first.body.runId);
  });

  test('when a delivery repeats after the workflow closed, then 200 duplicate and nothing new starts', async () => {
    const app = appFor(temporal.client);
    const body = hasuraEventBody();
    const first = await post(app, body);
    await temporal.client.workflow.getHandle(first.body.workflowId).terminate('test: closed run');
    const again = await post(app, body);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ workflowId: first.body.workflowId, duplicate: true });
    expect((await temporal.client.workflow.getHandle(first.body.workflowId).describe()).runId).toBe(first.body.runId);
  });
});

/** The event the workflow was started with, read back from its first history event. */
async function startedEvent(workflowId: string): Promise<{ trigger: string; sessionVariables: unknown }> {
  const history = await temporal.client.workflow.getHandle(workflowId).fetchHistory();
  const [input] = history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads!;
  return defaultPayloadConverter.fromPayload<{ event: { trigger: string; sessionVariables: unknown } }>(input).event;
}

describe('bodies Hasura can send', () => {
  // create_event_trigger enforces ^[A-Za-z]+[A-Za-z0-9_-]*$ and 42 characters, but replace_metadata (metadata
  // apply) only warns (WCIllegalEventTriggerName) and checks no length, and older triggers were never checked.
  test.each([
    ['a dot (hasura/graphql-engine#9429)', 'orders.changed'],
    ['a leading digit', '2fa_reset'],
    ['a space', 'Incident Trigger'],
    ['non-ASCII letters', 'störung_gemeldet'],
    ['51 characters (#5786)', 'job-seeker-desired-employment-type-upserted-deleted'],
    ['300 characters', `t${'x'.repeat(299)}`],
  ])('when the trigger name has %s, then its workflow starts under that name', async (_what, trigger) => {
    const body = hasuraEventBody({ trigger });
    const response = await post(appFor(temporal.client), body);
    expect([response.status, response.body.error]).toEqual([200, undefined]);
    expect(response.body.workflowId).toBe(workflowIdFor(trigger, String(body.id)));
    const description = await temporal.client.workflow.getHandle(response.body.workflowId).describe();
    expect(description.searchAttributes.HasuraTrigger).toEqual([trigger]);
  });

  test('when a trigger name is longer than the workflow IDs Temporal allows, then 503 + Retry-After names the server limit to raise', async () => {
    const response = await post(appFor(temporal.client), hasuraEventBody({ trigger: `t${'x'.repeat(999)}` }));
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('7');
    expect(response.body).toMatchObject({ error: 'temporal_refused', status: 'INVALID_ARGUMENT' });
    expect(response.body.fix).toContain('limit.maxIDLength');
  });

  test('when session variables hold non-string values (SET hasura.user from plain SQL), then the event starts with them as strings', async () => {
    const body = hasuraEventBody();
    (body.event as Record<string, unknown>).session_variables = {
      'x-hasura-role': 'admin',
      'x-hasura-user-id': 42,
      'x-hasura-is-owner': true,
      'x-hasura-allowed-roles': ['user', 'admin'],
      'x-hasura-org-id': null,
    };
    const response = await post(appFor(temporal.client), body);
    expect([response.status, response.body.error]).toEqual([200, undefined]);
    expect((await startedEvent(response.body.workflowId)).sessionVariables).toEqual({
      'x-hasura-role': 'admin',
      'x-hasura-user-id': '42',
      'x-hasura-is-owner': 'true',
      'x-hasura-allowed-roles': '["user","admin"]',
    });
  });

  test.each([
    ['a string', 'admin'],
    ['an array', ['admin']],
    ['a number', 7],
  ])(
    'when session_variables is %s (any JSON the hasura.user setting holds), then the event starts without session variables',
    async (_what, value) => {
      const body = hasuraEventBody();
      Object.assign(body.event as object, { session_variables: value, trace_context: 'not-an-object' });
      const response = await post(appFor(temporal.client), body);
      expect([response.status, response.body.error]).toEqual([200, undefined]);
      expect((await startedEvent(response.body.workflowId)).sessionVariables).toBeNull();
    },
  );

  test.each([
    ['empty', ''],
    ['a NUL character (Postgres text cannot hold one)', 'bad\u0000name'],
    ['a lone surrogate (not UTF-8)', 'bad\ud800name'],
  ])('when the trigger name is %s, which Hasura cannot send, then 400 names trigger.name', async (_what, trigger) => {
    const body = hasuraEventBody({ trigger });
    const response = await post(appFor(temporal.client), body);
    expect(response.status).toBe(400);
    expect(response.body.message).toContain('trigger.name');
  });
});

describe('Temporal unreachable', () => {
  test('when Temporal does not answer, then 503 with Retry-After and readiness fails', async () => {
    const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 });
    const app = appFor(new Client({ connection }));
    const response = await post(app, hasuraEventBody());
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('7');
    expect(response.body.error).toBe('temporal_unavailable');
    expect((await request(app).get('/readyz')).status).toBe(503);
    expect((await request(app).get('/healthz')).status).toBe(200);
    await connection.close();
  });

  test('when Temporal answers, then readiness passes', async () => {
    expect((await request(appFor(temporal.client)).get('/readyz')).body).toEqual({ status: 'ready' });
  });
});
