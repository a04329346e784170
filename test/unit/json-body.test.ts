import request from 'supertest';
import { createApp } from '../../src/api/app';
import type { EventStarter } from '../../src/starting/event-starter';
import { Secret } from '../../src/common/secret';
import type { HasuraEventBody } from '../../src/hasura/event-schema';
import { createLogger } from '../../src/logging';
import { hasuraEventBody } from '../helpers/hasura';

const started: HasuraEventBody[] = [];
const starter: EventStarter = {
  async start(body) {
    started.push(body);
    return { workflowId: 'w', duplicate: false };
  },
  async ping() {},
};
const webhook = {
  secrets: [new Secret('s')],
  secretHeader: 'x-webhook-secret',
  bodyLimit: '256kb',
  retryAfterSeconds: 7,
};
const app = createApp({ starter, logger: createLogger({ level: 'silent' }), webhook });
const post = (text: string, contentType = 'application/json') =>
  request(app).post('/hasura/events').set('x-webhook-secret', 's').set('content-type', contentType).send(text);

/** A body whose row carries `columns` written verbatim (numbers as row_to_json writes them). */
function bodyWith(columns: string): string {
  const body = hasuraEventBody({ new: { id: '__COLUMNS__' } });
  return JSON.stringify(body).replace('{"id":"__COLUMNS__"}', `{${columns}}`);
}

test('when a row carries numbers a double cannot hold, then they arrive as their exact digits', async () => {
  const response = await post(bodyWith('"id":9007199254740993,"amount":12345678901234567890.125,"n":42,"x":1.5'));
  expect(response.status).toBe(200);
  expect(started.at(-1)!.event.data.new).toEqual({
    id: '9007199254740993',
    amount: '12345678901234567890.125',
    n: 42,
    x: 1.5,
  });
});

test('when a json column repeats a key or is nested very deep, then the body is read as JSON.parse reads it', async () => {
  const deep = `${'['.repeat(8_000)}${']'.repeat(8_000)}`;
  expect((await post(bodyWith(`"id":7,"doc":{"a":1,"a":2},"deep":${deep}`))).status).toBe(200);
  expect(started.at(-1)!.event.data.new).toMatchObject({ id: 7, doc: { a: 2 } });
  const refused = await post(bodyWith(`"id":9007199254740993,"deep":${deep}`));
  expect(refused.status).toBe(400);
  expect(refused.body).toMatchObject({ error: 'invalid_json', message: expect.stringMatching(/2\^53/) });
});

test('when a key is __proto__, then the body is accepted and pollutes nothing', async () => {
  expect((await post(bodyWith('"id":7,"__proto__":{"polluted":true}'))).status).toBe(200);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

test('when the body is not UTF-8 JSON, then the answers stay those of body-parser', async () => {
  expect((await post(bodyWith('"id":7'), 'application/json; charset=latin1')).status).toBe(415);
  expect((await post('{"id":')).body).toMatchObject({ error: 'invalid_json' });
  expect((await post('"just a string"')).body).toMatchObject({ error: 'invalid_json' });
  expect((await post('')).body).toMatchObject({ error: 'invalid_event' });
});
