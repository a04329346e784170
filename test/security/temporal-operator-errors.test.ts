import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal as proto } from '@temporalio/proto';
import request from 'supertest';
import { createApp } from '../../src/api/app';
import { startApi } from '../../src/api/server';
import { createEventStarter } from '../../src/starting/event-starter';
import { Secret } from '../../src/common/secret';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/contract/search-attributes';
import { loadWebhookSettings } from '../../src/settings/webhook';
import { deliverLikeHasura, hasuraEventBody } from '../helpers/hasura';
import { eventually } from '../helpers/stack';
import { connectTestTemporal, testTemporalAddress, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import {
  GRPC_PERMISSION_DENIED,
  GRPC_UNAUTHENTICATED,
  startGrpcGatekeeper,
  type GrpcGatekeeper,
} from './grpc-gatekeeper';
import { capturedLogger } from './log-capture';

/**
 * Temporal errors an operator can fix get 503 + Retry-After (Hasura keeps the event and retries, even
 * past its own retry_conf) and one error line naming the fix; only a genuine bug stays 500.
 */
const SECRET = 'operator-errors-secret';
const PINO_ERROR = 50;
let temporal: TestTemporal;
let gatekeeper: GrpcGatekeeper;

beforeAll(async () => {
  temporal = await connectTestTemporal();
  gatekeeper = await startGrpcGatekeeper(testTemporalAddress());
});
afterAll(async () => {
  await gatekeeper?.close();
  await temporal?.close();
});

const refusals = (capture: ReturnType<typeof capturedLogger>, status: string) =>
  capture.lines().filter((line) => line.level === PINO_ERROR && line.grpcStatus === status);

test('when the namespace is missing and then lacks the search attributes, then each gets 503 naming its fix, and once the operator ran both the retry lands the event', async () => {
  const namespace = `runbook-${randomUUID().slice(0, 8)}`;
  const capture = capturedLogger();
  const env = {
    TEMPORAL_ADDRESS: testTemporalAddress(),
    TEMPORAL_NAMESPACE: namespace,
    TEMPORAL_TASK_QUEUE: uniqueTaskQueue('runbook'),
    HOST: '127.0.0.1',
    PORT: '0',
    WEBHOOK_SECRET: SECRET,
    WEBHOOK_RETRY_AFTER_SECONDS: '1',
  };
  const api = await startApi(loadWebhookSettings(env), { logger: capture.logger });
  try {
    const body = hasuraEventBody();
    // Hasura's own retries are exhausted at once (num_retries 0): only Retry-After keeps the event alive.
    const delivery = deliverLikeHasura(body, { url: `${api.url}/hasura/events`, secret: SECRET, numRetries: 0 });

    const missing = await eventually(() => refusals(capture, 'NOT_FOUND').at(0), {
      what: 'NOT_FOUND',
      timeoutMs: 10_000,
    });
    expect(String(missing.msg)).toContain(`temporal operator namespace create --namespace ${namespace}`);
    await temporal.client.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });

    const unregistered = await eventually(() => refusals(capture, 'INVALID_ARGUMENT').at(0), {
      what: 'INVALID_ARGUMENT',
      timeoutMs: 20_000,
    });
    expect(String(unregistered.msg)).toContain(`temporal operator search-attribute create --namespace ${namespace}`);
    for (const key of ALL_SEARCH_ATTRIBUTES)
      expect(String(unregistered.msg)).toContain(`--name ${key.name} --type Keyword`);
    await temporal.client.connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        ALL_SEARCH_ATTRIBUTES.map((key) => [key.name, proto.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
      ),
    });

    const result = await delivery;
    expect(result.delivered).toBe(true);
    expect(result.attempts[0]).toMatchObject({
      status: 503,
      retryAfter: 1,
      body: { error: 'temporal_refused', status: 'NOT_FOUND', fix: expect.stringContaining('namespace create') },
    });
    expect(result.attempts).toContainEqual(
      expect.objectContaining({
        status: 503,
        retryAfter: 1,
        body: expect.objectContaining({ error: 'temporal_refused', status: 'INVALID_ARGUMENT' }),
      }),
    );
    expect(result.attempts.at(-1)).toMatchObject({ status: 200, body: { accepted: true } });
    const workflowId = (result.attempts.at(-1)!.body as { workflowId: string }).workflowId;
    const started = new Client({ connection: temporal.client.connection, namespace }).workflow.getHandle(workflowId);
    expect((await started.describe()).status.name).toBe('RUNNING');
  } finally {
    await api.close();
  }
}, 60_000);

describe('credentials refused by an authorizing frontend (real gRPC answers through a gatekeeper proxy)', () => {
  const webhook = {
    secrets: [new Secret(SECRET)],
    secretHeader: 'x-webhook-secret',
    bodyLimit: '64kb',
    retryAfterSeconds: 7,
  };
  const appWithKey = (apiKey: string, capture = capturedLogger()) => {
    // Plaintext to the local gatekeeper; in production an API key turns TLS on (src/config/temporal.ts).
    const connection = Connection.lazy({ address: gatekeeper.address, apiKey, tls: false });
    const client = new Client({ connection, namespace: 'default' });
    const starter = createEventStarter({ client, taskQueue: uniqueTaskQueue('gatekeeper'), startTimeoutMs: 2_000 });
    return { app: createApp({ starter, logger: capture.logger, webhook }), capture, connection };
  };
  const post = (app: ReturnType<typeof appWithKey>['app'], body: object) =>
    request(app)
      .post('/hasura/events')
      .set('x-webhook-secret', SECRET)
      .set('content-type', 'application/json')
      .send(body);

  test('when the API key was revoked mid-rotation (UNAUTHENTICATED), then 503 + Retry-After naming TEMPORAL_API_KEY, and after the restart with the new key the event starts', async () => {
    gatekeeper.setPolicy((authorization) =>
      authorization === 'Bearer key-2026'
        ? 'pass'
        : { code: GRPC_UNAUTHENTICATED, message: 'Request unauthenticated.' },
    );
    const body = hasuraEventBody();
    const old = appWithKey('key-2025');
    const refused = await post(old.app, body);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('7');
    expect(refused.body).toEqual({
      error: 'temporal_refused',
      status: 'UNAUTHENTICATED',
      fix: expect.stringContaining('TEMPORAL_API_KEY'),
      message: expect.stringContaining('retry later'),
    });
    const [line] = refusals(old.capture, 'UNAUTHENTICATED');
    expect(String(line.msg)).toContain('TEMPORAL_API_KEY');
    expect(old.capture.text() + JSON.stringify(refused.body)).not.toContain('key-2025');
    await old.connection.close();

    const renewed = appWithKey('key-2026');
    const accepted = await post(renewed.app, body);
    expect(accepted.status).toBe(200);
    expect((await temporal.client.workflow.getHandle(accepted.body.workflowId).describe()).status.name).toBe('RUNNING');
    await renewed.connection.close();
  });

  test('when the key may not start workflows in the namespace (PERMISSION_DENIED), then 503 + Retry-After naming the missing permission', async () => {
    gatekeeper.setPolicy((_authorization, method) =>
      method === 'StartWorkflowExecution' ? { code: GRPC_PERMISSION_DENIED, message: 'Request unauthorized.' } : 'pass',
    );
    const { app, capture, connection } = appWithKey('read-only-key');
    const refused = await post(app, hasuraEventBody());
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('7');
    expect(refused.body).toMatchObject({ error: 'temporal_refused', status: 'PERMISSION_DENIED' });
    expect(refused.body.fix).toMatch(/write access to namespace default/);
    expect(String(refusals(capture, 'PERMISSION_DENIED')[0]?.msg)).toMatch(/write access to namespace default/);
    await connection.close();
  });
});

test('when starting fails for a reason no operator can fix (a bug in the bridge), then it stays 500', async () => {
  const client = new Client({
    connection: temporal.client.connection,
    dataConverter: {
      payloadCodecs: [
        {
          encode: async () => {
            throw new TypeError('bug: codec cannot encode');
          },
          decode: async (payloads) => payloads,
        },
      ],
    },
  });
  const capture = capturedLogger();
  const starter = createEventStarter({ client, taskQueue: uniqueTaskQueue('bug') });
  const webhook = {
    secrets: [new Secret(SECRET)],
    secretHeader: 'x-webhook-secret',
    bodyLimit: '64kb',
    retryAfterSeconds: 7,
  };
  const response = await request(createApp({ starter, logger: capture.logger, webhook }))
    .post('/hasura/events')
    .set('x-webhook-secret', SECRET)
    .set('content-type', 'application/json')
    .send(hasuraEventBody());
  expect(response.status).toBe(500);
  expect(response.headers['retry-after']).toBeUndefined();
  expect(response.body.error).toBe('start_failed');
});
