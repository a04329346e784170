import { randomBytes } from 'node:crypto';
import express from 'express';
import request from 'supertest';
import { codecRouterFor, createCodecRouter, EncryptionCodec } from '../../src/codec';
import type { Env } from '../../src/settings/env';
import { codecServerFromEnv, encryptionKeyringFromEnv } from '../../src/settings/codec';
import { Secret } from '../../src/common/secret';

const UI_ORIGIN = 'http://127.0.0.1:8233';
const TOKEN = 'codec-bearer-token';
const KEYS = `k1:${randomBytes(32).toString('base64')}`;
const codec = new EncryptionCodec(encryptionKeyringFromEnv({ PAYLOAD_ENCRYPTION_KEYS: KEYS })!);
/** The webhook's codec-server settings, as its loader reads them. */
const codecServerOf = (env: Env) => codecServerFromEnv(env, encryptionKeyringFromEnv(env));
const app = express().use(createCodecRouter({ codec, authToken: new Secret(TOKEN), corsOrigin: UI_ORIGIN }));

const plainPayload = {
  metadata: { encoding: Buffer.from('json/plain').toString('base64') },
  data: Buffer.from('{"title":"Printer on fire"}').toString('base64'),
};
const post = (operation: string, body: unknown, authorization = `Bearer ${TOKEN}`) =>
  request(app)
    .post(`/codec/${operation}`)
    .set('Origin', UI_ORIGIN)
    .set('X-Namespace', 'default')
    .set('Authorization', authorization)
    .send(body as object);

test('when the UI encodes then decodes payloads, then it gets the originals back and the encoded form hides them', async () => {
  const encoded = await post('encode', { payloads: [plainPayload] });
  expect(encoded.status).toBe(200);
  const [sealed] = encoded.body.payloads;
  expect(Buffer.from(sealed.metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
  expect(Buffer.from(sealed.data, 'base64').toString('latin1')).not.toContain('Printer');
  const decoded = await post('decode', encoded.body);
  expect(decoded.status).toBe(200);
  expect(decoded.body).toEqual({ payloads: [plainPayload] });
  expect(decoded.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
});

test.each([
  ['missing', undefined],
  ['wrong', `Bearer not-${TOKEN}`],
  ['not a bearer token', TOKEN],
])('when the token is %s, then 401 with CORS headers so the UI can show why', async (_name, authorization) => {
  const call = request(app)
    .post('/codec/decode')
    .set('Origin', UI_ORIGIN)
    .send({ payloads: [plainPayload] });
  const response = await (authorization ? call.set('Authorization', authorization) : call);
  expect(response.status).toBe(401);
  expect(response.body).toEqual({ error: 'unauthorized', message: 'missing or invalid bearer token' });
  expect(response.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
});

test('when the browser sends a preflight from the UI origin, then 204 allows the UI headers without asking for a token', async () => {
  const response = await request(app)
    .options('/codec/decode')
    .set('Origin', UI_ORIGIN)
    .set('Access-Control-Request-Method', 'POST')
    .set('Access-Control-Request-Headers', 'authorization,content-type,x-namespace');
  expect(response.status).toBe(204);
  expect(response.headers).toMatchObject({
    'access-control-allow-origin': UI_ORIGIN,
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': expect.stringContaining('POST'),
    'access-control-allow-headers': expect.stringMatching(/Authorization.*Content-Type.*X-Namespace/),
  });
});

test('when another origin asks, then no CORS header lets its page read the answer', async () => {
  const preflight = await request(app)
    .options('/codec/decode')
    .set('Origin', 'http://evil.test')
    .set('Access-Control-Request-Method', 'POST');
  const call = await request(app)
    .post('/codec/decode')
    .set('Origin', 'http://evil.test')
    .set('Authorization', `Bearer ${TOKEN}`)
    .send({ payloads: [] });
  expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  expect(call.headers['access-control-allow-origin']).toBeUndefined();
});

test('when the body is not a Payloads object, then 400', async () => {
  expect((await post('decode', { payloads: [{ data: 'not base64!' }] })).status).toBe(400);
  expect((await post('decode', { nothing: true })).status).toBe(400);
});

test('when a payload was encrypted with a key the server lacks, then 422 names the key id only', async () => {
  const other = new EncryptionCodec(
    encryptionKeyringFromEnv({ PAYLOAD_ENCRYPTION_KEYS: `k9:${randomBytes(32).toString('base64')}` })!,
  );
  const [sealed] = await other.encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('1') }]);
  const response = await post('decode', {
    payloads: [
      {
        metadata: {
          encoding: Buffer.from(sealed.metadata!.encoding!).toString('base64'),
          'encryption-key-id': Buffer.from('k9').toString('base64'),
        },
        data: Buffer.from(sealed.data!).toString('base64'),
      },
    ],
  });
  expect(response.status).toBe(422);
  expect(response.body).toMatchObject({
    error: 'codec_failed',
    message: expect.stringContaining('unknown key id "k9"'),
  });
});

describe('configuration', () => {
  test('when no token is set, then no codec server is mounted', () => {
    expect(codecServerOf({ PAYLOAD_ENCRYPTION_KEYS: KEYS })).toBeUndefined();
  });

  test.each([
    [{ CODEC_AUTH_TOKEN: TOKEN }, /PAYLOAD_ENCRYPTION_KEYS: required when CODEC_AUTH_TOKEN/],
    [{ PAYLOAD_ENCRYPTION_KEYS: KEYS, CODEC_CORS_ORIGIN: UI_ORIGIN }, /CODEC_AUTH_TOKEN: required/],
    [
      { PAYLOAD_ENCRYPTION_KEYS: KEYS, CODEC_AUTH_TOKEN: TOKEN, CODEC_CORS_ORIGIN: `${UI_ORIGIN}/namespaces` },
      /CODEC_CORS_ORIGIN: must be an origin/,
    ],
  ])('when the environment is incomplete (%#), then the error names the variable', (env, message) => {
    expect(() => codecServerOf(env)).toThrow(message);
  });

  test('when token and keys are set, then the mounted router answers with the token from the environment', async () => {
    const env = { PAYLOAD_ENCRYPTION_KEYS: KEYS, CODEC_AUTH_TOKEN: TOKEN, CODEC_CORS_ORIGIN: UI_ORIGIN };
    const mounted = express().use(codecRouterFor(codecServerOf(env))!);
    const response = await request(mounted)
      .post('/codec/encode')
      .set('Authorization', `Bearer ${TOKEN}`)
      .send({ payloads: [plainPayload] });
    expect(response.status).toBe(200);
    expect(response.body.payloads).toHaveLength(1);
  });
});
