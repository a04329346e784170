import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import path from 'node:path';
import { correlationIdFor } from '../../src/contract';
import { loadWorkerSettings } from '../../src/settings/worker';
import { createLogger } from '../../src/logging';
import { startServiceNowSimulator, type ServiceNowSimulator } from '../../dev/simulator/servicenow/server';
import { freePort, stopProcess } from '../../dev/temporal/dev-server';
import { startWorker, type RunningWorker } from '../../src/worker/run';
import { deliverLikeHasura, hasuraEventBody, type DeliveryResult } from '../helpers/hasura';
import { eventually, FAST_POLICY_ENV } from '../helpers/stack';
import { testTemporalAddress, testWorkflowBundle, uniqueTaskQueue } from '../helpers/temporal';

const BUILT_WEBHOOK = path.resolve(__dirname, '../../dist/src/api/main.js');
const SECRET = 'sigterm-test-secret';
const TRIGGER = 'create_servicenow_incident';
const BURST = 30;
let simulator: ServiceNowSimulator;
let worker: RunningWorker;
let env: NodeJS.ProcessEnv;
let webhookUrl: string;
const webhooks: ChildProcess[] = [];

async function startBuiltWebhook(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BUILT_WEBHOOK], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  webhooks.push(child);
  await eventually(async () => ((await fetch(`${webhookUrl}/healthz`).catch(() => undefined))?.ok ? true : undefined), {
    what: 'the built webhook to listen',
    timeoutMs: 20_000,
  });
  return child;
}

/** A request whose body is still arriving when the signal lands: the drain must let it finish. */
function startSlowRequest(port: number, event: Record<string, unknown>) {
  const body = JSON.stringify(event);
  const socket = createConnection({ host: '127.0.0.1', port });
  const head = `POST /hasura/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nx-webhook-secret: ${SECRET}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  socket.write(head + body.slice(0, 100));
  let answer = '';
  socket.on('data', (chunk) => (answer += chunk));
  const ended = once(socket, 'end');
  return {
    async finish(): Promise<string> {
      socket.write(body.slice(100));
      await ended;
      return answer;
    },
  };
}

beforeAll(async () => {
  if (!existsSync(BUILT_WEBHOOK))
    throw new Error(`${BUILT_WEBHOOK} is missing: run \`npm run build\` first (npm test's pretest does)`);
  simulator = await startServiceNowSimulator({ port: 0 });
  const port = await freePort();
  webhookUrl = `http://127.0.0.1:${port}`;
  env = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'warn',
    TEMPORAL_ADDRESS: testTemporalAddress(),
    TEMPORAL_TASK_QUEUE: uniqueTaskQueue('sigterm'),
    HOST: '127.0.0.1',
    PORT: String(port),
    WEBHOOK_SECRET: SECRET,
    WEBHOOK_RETRY_AFTER_SECONDS: '1',
    SERVICENOW_INSTANCE_URL: simulator.url,
    SERVICENOW_USERNAME: 'bridge',
    SERVICENOW_PASSWORD: 'bridge-password',
    ...FAST_POLICY_ENV,
  };
  const logger = createLogger({ level: 'silent' });
  worker = await startWorker(loadWorkerSettings(env), { logger, workflowBundle: await testWorkflowBundle() });
}, 60_000);
afterAll(async () => {
  await Promise.all(webhooks.map((child) => stopProcess(child)));
  await worker?.shutdown();
  await simulator?.close();
});

test('when the webhook gets SIGTERM mid-burst, then in-flight requests finish, new ones are refused and retried, and every event gets one incident', async () => {
  const first = await startBuiltWebhook();
  const port = Number(new URL(webhookUrl).port);
  const slowEvent = hasuraEventBody();
  const slow = startSlowRequest(port, slowEvent);
  const bodies = Array.from({ length: BURST }, () => hasuraEventBody());
  const deliveries: Promise<DeliveryResult>[] = bodies.map(async (body, index) => {
    await new Promise((resolve) => setTimeout(resolve, index * 25));
    return deliverLikeHasura(body, {
      url: `${webhookUrl}/hasura/events`,
      secret: SECRET,
      numRetries: 60,
      intervalSec: 1,
      timeScale: 0.25,
    });
  });

  await new Promise((resolve) => setTimeout(resolve, (BURST * 25) / 3));
  const exited = once(first, 'exit');
  first.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(first.exitCode).toBeNull(); // still draining the slow request
  const slowAnswer = await slow.finish();
  expect(slowAnswer).toMatch(/^HTTP\/1\.1 200 /);
  expect((await exited)[0]).toBe(0);

  await startBuiltWebhook();
  const results = await Promise.all(deliveries);
  const statuses = results.flatMap((result) => result.attempts.map((attempt) => attempt.status));
  expect(results.every((result) => result.delivered)).toBe(true);
  expect(statuses.filter((status) => status !== 200 && status !== 'error')).toEqual([]);
  expect(statuses.filter((status) => status === 'error').length).toBeGreaterThan(0);
  expect(results.filter((result) => result.attempts.length === 1).length).toBeGreaterThan(0);

  const correlationIds = [slowEvent, ...bodies].map((body) => correlationIdFor(TRIGGER, String(body.id)));
  await eventually(() => (correlationIds.every((id) => simulator.countByCorrelation(id) >= 1) ? true : undefined), {
    what: 'an incident per event',
    timeoutMs: 60_000,
  });
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(correlationIds.map((id) => simulator.countByCorrelation(id))).toEqual(correlationIds.map(() => 1));
}, 120_000);
