import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { temporal as proto } from '@temporalio/proto';
import { correlationIdFor } from '../../src/contract';
import { deliverLikeHasura, hasuraEventBody } from '../helpers/hasura';
import { eventually, startStack, type Stack } from '../helpers/stack';
import { connectTestTemporal, type TestTemporal } from '../helpers/temporal';
import { capturedLogger } from './log-capture';

const WEBHOOK_SECRET = `whsec-${randomUUID()}`;
const SN_PASSWORD = `snpw-${randomUUID()}`;
const NOTIFY_TOKEN = `notify-${randomUUID()}`;
const BASIC_VALUE = Buffer.from(`bridge:${SN_PASSWORD}`).toString('base64');
const SECRETS = { WEBHOOK_SECRET, SN_PASSWORD, NOTIFY_TOKEN, BASIC_VALUE };
const TRIGGER = 'create_servicenow_incident';

const notifications: { headers: IncomingHttpHeaders; body: string }[] = [];
const capture = capturedLogger({ redactHeaders: ['x-webhook-secret'] });
let receiver: Server;
let stack: Stack;
let temporal: TestTemporal;
const workflowIds: string[] = [];

/** Which secrets (by name) occur in `haystack`; [] is the only acceptable answer. */
const leakedIn = (haystack: string | Buffer) =>
  Object.entries(SECRETS)
    .filter(([, value]) => haystack.includes(value))
    .map(([name]) => name);

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      notifications.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  stack = await startStack({
    logger: capture.logger,
    simulator: { users: [{ username: 'bridge', password: SN_PASSWORD }] },
    env: {
      WEBHOOK_SECRET,
      SERVICENOW_PASSWORD: SN_PASSWORD,
      NOTIFY_WEBHOOK_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/incident-bridge`,
      NOTIFY_WEBHOOK_HEADERS: JSON.stringify({ 'x-notify-token': NOTIFY_TOKEN }),
    },
  });
  temporal = await connectTestTemporal();

  const deliver = (body: Record<string, unknown>, secret = WEBHOOK_SECRET) =>
    deliverLikeHasura(body, { url: stack.webhookUrl, secret, numRetries: 0 });
  const succeeding = hasuraEventBody({ new: { id: 1, title: 'Laptop stolen', description: 'from the car' } });
  const ok = await deliver(succeeding);
  workflowIds.push((ok.attempts[0].body as { workflowId: string }).workflowId);
  await temporal.client.workflow.getHandle(workflowIds[0]).result();

  const failing = hasuraEventBody();
  stack.simulator.setFaults({
    errorRate: 1,
    errorStatuses: [502],
    scope: { correlationIdPrefix: correlationIdFor(TRIGGER, String(failing.id)) },
  });
  const parked = await deliver(failing);
  workflowIds.push((parked.attempts[0].body as { workflowId: string }).workflowId);
  await eventually(() => (notifications.length ? true : undefined), {
    what: 'the failure notification',
    timeoutMs: 45_000,
  });

  expect((await deliver(hasuraEventBody(), `not-${WEBHOOK_SECRET}`)).attempts[0].status).toBe(401);
}, 120_000);

afterAll(async () => {
  await temporal?.client.workflow
    .getHandle(workflowIds[1])
    .terminate('test over')
    .catch(() => undefined);
  await stack?.close();
  await temporal?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

test('when events succeed, fail and arrive with a wrong secret, then no debug log line carries a secret', () => {
  const logs = capture.text();
  expect(capture.lines().map((line) => line.msg)).toEqual(
    expect.arrayContaining(['event accepted', 'failure notification sent']),
  );
  expect(logs).toContain(workflowIds[1]);
  expect(leakedIn(logs)).toEqual([]);
});

test('when the workflows have run, then neither history (inputs, results, failures) carries a secret', async () => {
  for (const workflowId of workflowIds) {
    const history = await temporal.client.workflow.getHandle(workflowId).fetchHistory();
    const bytes = Buffer.from(proto.api.history.v1.History.encode(history).finish());
    expect(bytes.includes(workflowId)).toBe(true);
    expect([workflowId, leakedIn(bytes)]).toEqual([workflowId, []]);
  }
});

test('when the failure is notified by webhook, then the body names the event but no secret (the token travels only as its header)', () => {
  const [notification] = notifications;
  expect(notification.headers['x-notify-token']).toBe(NOTIFY_TOKEN);
  expect(JSON.parse(notification.body)).toMatchObject({
    workflowId: workflowIds[1],
    type: 'incident-bridge.event.failed',
  });
  expect(leakedIn(notification.body)).toEqual([]);
});
