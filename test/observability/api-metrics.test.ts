import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../src/api/app';
import { createEventStarter } from '../../src/starting/event-starter';
import { webhookHttpFromEnv } from '../../src/settings/http';
import { createApiMetrics } from '../../src/api/metrics';
import { deliverLikeHasura, hasuraEventBody } from '../helpers/hasura';
import { startStack, TEST_SECRET, type Stack } from '../helpers/stack';
import { testTemporalAddress } from '../helpers/temporal';
import { parsePrometheusText, undeclaredFamilies, type Exposition } from './prom-text';

let stack: Stack;
let connection: Connection;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  stack = await startStack();
  connection = await Connection.connect({ address: testTemporalAddress() });
  const starter = createEventStarter({ client: new Client({ connection }), taskQueue: stack.taskQueue });
  const webhook = webhookHttpFromEnv(stack.env);
  const app = createApp({ starter, logger: stack.logger, webhook, metrics: createApiMetrics() });
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await connection?.close();
  await stack?.close();
});

async function scrape(): Promise<Exposition> {
  const response = await fetch(`${baseUrl}/metrics`);
  expect(response.status).toBe(200);
  return parsePrometheusText(await response.text());
}

const deliver = (body: Record<string, unknown>, secret = TEST_SECRET) =>
  deliverLikeHasura(body, { url: `${baseUrl}/hasura/events`, secret });
const requests = (m: Exposition, status: string, trigger: string) =>
  m.value('incident_bridge_webhook_requests_total', { status, trigger }) ?? 0;
const accepted = (m: Exposition, trigger: string, result: string) =>
  m.value('incident_bridge_events_accepted_total', { trigger, result }) ?? 0;
const acks = (m: Exposition, status: string) => m.value('incident_bridge_webhook_ack_seconds_count', { status }) ?? 0;

test('when /metrics is scraped, then it answers valid exposition text with our families declared and the process metrics', async () => {
  await deliver(hasuraEventBody({ trigger: 'metrics_scrape' }));
  const response = await fetch(`${baseUrl}/metrics`);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  const metrics = parsePrometheusText(await response.text());
  expect(undeclaredFamilies(metrics, 'incident_bridge_')).toEqual([]);
  expect(metrics.types.get('incident_bridge_webhook_requests_total')).toBe('counter');
  expect(metrics.types.get('incident_bridge_webhook_ack_seconds')).toBe('histogram');
  expect(metrics.types.get('incident_bridge_events_accepted_total')).toBe('counter');
  expect(metrics.value('process_cpu_user_seconds_total')).toBeGreaterThan(0);
});

test('when a delivery is accepted, then the request, its ack latency and the started workflow are counted', async () => {
  const before = await scrape();
  const delivery = await deliver(hasuraEventBody({ trigger: 'metrics_started' }));
  expect(delivery.delivered).toBe(true);
  const after = await scrape();
  expect(requests(after, '200', 'metrics_started')).toBe(1);
  expect(accepted(after, 'metrics_started', 'started')).toBe(1);
  expect(acks(after, '200') - acks(before, '200')).toBe(1);
  const sum = (m: Exposition) => m.value('incident_bridge_webhook_ack_seconds_sum', { status: '200' }) ?? 0;
  expect(sum(after) - sum(before)).toBeGreaterThan(0);
  expect(after.value('incident_bridge_webhook_ack_seconds_bucket', { status: '200', le: '+Inf' })).toBe(
    acks(after, '200'),
  );
});

test('when Hasura redelivers an event whose workflow has finished, then it is counted as a duplicate, not a start', async () => {
  const body = hasuraEventBody({ trigger: 'metrics_duplicate' });
  const first = await deliver(body);
  const { workflowId } = first.attempts.at(-1)!.body as { workflowId: string };
  await new Client({ connection }).workflow.getHandle(workflowId).result();
  const again = await deliver(body);
  expect(again.attempts.at(-1)!.body).toMatchObject({ duplicate: true });
  const after = await scrape();
  expect(accepted(after, 'metrics_duplicate', 'started')).toBe(1);
  expect(accepted(after, 'metrics_duplicate', 'duplicate')).toBe(1);
  expect(requests(after, '200', 'metrics_duplicate')).toBe(2);
});

test('when the secret is wrong or the body is no event, then the 401 and the 400 are counted and nothing is accepted', async () => {
  const before = await scrape();
  expect((await deliver(hasuraEventBody({ trigger: 'metrics_rejected' }), 'wrong-secret')).attempts[0].status).toBe(
    401,
  );
  expect((await deliver({ trigger: { name: 'metrics_rejected' }, id: 'not-an-event' })).attempts[0].status).toBe(400);
  expect((await deliver({ trigger: { name: 'rm -rf /; '.repeat(20) } })).attempts[0].status).toBe(400);
  const after = await scrape();
  // Auth refuses before the body is read, so a 401 cannot know its trigger.
  expect(requests(after, '401', 'unknown') - requests(before, '401', 'unknown')).toBe(1);
  expect(requests(after, '400', 'metrics_rejected')).toBe(1);
  expect(requests(after, '400', 'unknown') - requests(before, '400', 'unknown')).toBe(1);
  expect(after.samples.filter((s) => s.labels.trigger?.startsWith('rm -rf'))).toEqual([]);
  expect(accepted(after, 'metrics_rejected', 'started')).toBe(0);
  expect(acks(after, '401') - acks(before, '401')).toBe(1);
});
