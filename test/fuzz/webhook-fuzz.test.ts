import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { createApp } from '../../src/api/app';
import type { EventStarter } from '../../src/starting/event-starter';
import { Secret } from '../../src/common/secret';
import type { HasuraEventBody } from '../../src/hasura/event-schema';
import { createLogger } from '../../src/logging';
import { invalidRequests, type FuzzRequest } from './hasura-mutations';
import { validRequests } from './hasura-valid-requests';

const SEED = 20_260_601;
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const LIMIT_BYTES = 256 * 1024;
const SECRET = 'fuzz-secret';
const HEAP_GROWTH_BOUND = 200 * 1024 * 1024;

/** Records every start: the property is that only valid bodies ever get here. */
const started: HasuraEventBody[] = [];
const starter: EventStarter = {
  async start(body) {
    started.push(body);
    return { workflowId: `hasura-${body.trigger.name}-${body.id}`, duplicate: false };
  },
  async ping() {},
};

let server: Server;
let url: string;
let tried = 0;

beforeAll(async () => {
  const webhook = {
    secrets: [new Secret(SECRET)],
    secretHeader: 'x-webhook-secret',
    bodyLimit: `${LIMIT_BYTES / 1024}kb`,
    retryAfterSeconds: 5,
  };
  server = createApp({ starter, logger: createLogger({ level: 'silent' }), webhook }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  console.log(`webhook fuzz: ${tried} requests tried (seed ${SEED}, FUZZ_RUNS=${RUNS})`);
  await new Promise((resolve) => server.close(resolve));
});

async function send(request: FuzzRequest) {
  tried += 1;
  const headers: Record<string, string> = { 'x-webhook-secret': SECRET };
  if (request.contentType !== undefined) headers['content-type'] = request.contentType;
  if (request.contentEncoding) headers['content-encoding'] = request.contentEncoding;
  const response = await fetch(`${url}/hasura/events`, {
    method: 'POST',
    headers,
    body: request.body.length ? request.body : undefined,
  });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text };
}

function expectJsonError(answer: Awaited<ReturnType<typeof send>>, label: string) {
  const context = `${label} → ${answer.status} ${answer.text.slice(0, 200)}`;
  expect([context, answer.status >= 400 && answer.status < 500]).toEqual([context, true]);
  expect([context, answer.contentType]).toEqual([context, expect.stringMatching(/^application\/json/)]);
  const body = JSON.parse(answer.text);
  expect([context, typeof body.error, typeof body.message]).toEqual([context, 'string', 'string']);
}

test('when mutated or malformed Hasura bodies arrive, then each gets a JSON 4xx and none reaches start', async () => {
  const heapBefore = process.memoryUsage().heapUsed;
  await fc.assert(
    fc.asyncProperty(invalidRequests(LIMIT_BYTES), async (request) => {
      const startsBefore = started.length;
      expectJsonError(await send(request), request.label);
      expect([request.label, started.length]).toEqual([request.label, startsBefore]);
    }),
    { seed: SEED, numRuns: RUNS },
  );
  global.gc?.();
  expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(HEAP_GROWTH_BOUND);
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  expect(Object.prototype).not.toHaveProperty('polluted');
}, 240_000);

test('when a valid body carries extra fields (also __proto__ and constructor), then it is accepted and starts exactly once', async () => {
  await fc.assert(
    fc.asyncProperty(validRequests(), async (request) => {
      const startsBefore = started.length;
      const answer = await send(request);
      expect([request.label, answer.status, answer.text.slice(0, 200)]).toEqual([
        request.label,
        200,
        expect.any(String),
      ]);
      expect(started.slice(startsBefore).map((body) => body.id)).toEqual([request.eventId]);
    }),
    { seed: SEED, numRuns: Math.ceil(RUNS / 3) },
  );
  expect(Object.prototype).not.toHaveProperty('polluted');
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}, 240_000);

test('when the secret is missing, then even a valid body gets the JSON 401 and never reaches start', async () => {
  const startsBefore = started.length;
  const [request] = fc.sample(validRequests(), { seed: SEED, numRuns: 1 });
  const response = await fetch(`${url}/hasura/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: request.body,
  });
  tried += 1;
  expect(response.status).toBe(401);
  expect(await response.json()).toEqual({ error: 'unauthorized', message: expect.any(String) });
  expect(started.length).toBe(startsBefore);
});
