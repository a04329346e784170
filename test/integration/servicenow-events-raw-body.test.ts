import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/api/app';
import { Secret } from '../../src/common/secret';
import { createLogger } from '../../src/logging';
import { createEventStarter } from '../../src/starting/event-starter';
import { createServiceNowChangeStarter } from '../../src/starting/servicenow-change-starter';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';

/**
 * The HMAC covers the exact bytes ServiceNow sent: a receiver that signs what it decoded (a stripped
 * BOM, a replaced invalid byte, a re-serialised object) refuses a correct signature or accepts a wrong one.
 */
const KEY = 'a-32-byte-or-longer-key-for-the-raw-body-tests';
const HEADER = 'x-servicenow-signature';
let temporal: TestTemporal;
let server: Server;
let url: string;
let counter = 0;

const sign = (bytes: Buffer) => createHmac('sha256', KEY).update(bytes).digest('base64');

function sysId(): string {
  counter += 1;
  return `${Date.now().toString(16)}${counter.toString(16)}`.padStart(32, 'b').slice(-32);
}

async function post(bytes: Buffer, signature = sign(bytes)) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [HEADER]: signature },
    body: bytes,
  });
  return { status: response.status, body: (await response.json()) as { workflowId?: string; error?: string } };
}

beforeAll(async () => {
  temporal = await connectTestTemporal();
  const taskQueue = uniqueTaskQueue('sn-raw'); // nothing polls it: the route only has to start workflows
  const { client } = temporal;
  const app = createApp({
    starter: createEventStarter({ client, taskQueue }),
    logger: createLogger({ level: 'silent' }),
    webhook: {
      secrets: [new Secret('hasura-secret')],
      secretHeader: 'x-webhook-secret',
      bodyLimit: '64kb',
      retryAfterSeconds: 1,
    },
    servicenowEvents: {
      config: { auth: 'hmac', header: HEADER, secrets: [new Secret(KEY)] },
      starter: createServiceNowChangeStarter({ client, taskQueue }),
    },
  });
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/servicenow/events`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await temporal?.close();
});

describe('the signature is checked over the raw request body', () => {
  test.each([
    ['starts with a UTF-8 byte order mark', (id: string) => `\ufeff{"table":"incident","sys_id":"${id}"}`],
    ['has whitespace and line breaks', (id: string) => `{ "table" : "incident",\r\n  "sys_id":\t"${id}" }\n`],
    ['has unicode escapes', (id: string) => `{"table":"\\u0069ncident","sys_id":"${id}","number":"INC\\u00e9"}`],
    ['has non-ASCII text', (id: string) => `{"table":"incident","sys_id":"${id}","short_description":"Café ☕"}`],
  ])('when the body %s and is signed as sent, then 200', async (_name, text) => {
    const id = sysId();
    const response = await post(Buffer.from(text(id), 'utf8'));
    expect(response).toEqual({
      status: 200,
      body: expect.objectContaining({ workflowId: expect.stringMatching(`^servicenow-incident-${id}-latest-`) }),
    });
  });

  test('when the body holds a byte that is not UTF-8 and is signed as sent, then the signature passes', async () => {
    const id = sysId();
    const bytes = Buffer.concat([
      Buffer.from(`{"table":"incident","sys_id":"${id}","number":"INC`),
      Buffer.from([0xff]),
      Buffer.from('"}'),
    ]);
    expect((await post(bytes)).status).toBe(200);
  });

  test('when the signature is over a re-serialisation of the body, not the body sent, then 401', async () => {
    const text = `{ "table": "incident", "sys_id": "${sysId()}" }`;
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(text)));
    const response = await post(Buffer.from(text), sign(reserialised));
    expect(response).toEqual({ status: 401, body: expect.objectContaining({ error: 'unauthorized' }) });
  });
});
