import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { temporal as proto } from '@temporalio/proto';
import { createQueueWorkers } from '../helpers/queue-workers';
import express from 'express';
import { createActivities } from '../../src/activities';
import { createEventStarter } from '../../src/starting/event-starter';
import { createCodecRouter, dataConverterFor, EncryptionCodec, PayloadDecryptionError } from '../../src/codec';
import type { Env } from '../../src/settings/env';
import { encryptionKeyringFromEnv } from '../../src/settings/codec';
import { Secret } from '../../src/common/secret';
import { hasuraEventSchema } from '../../src/hasura/event-schema';
import { createLogger } from '../../src/logging';
import { createEventMapper, DEFAULT_MAPPING } from '../../src/mapping/mapper';
import { createNotifier } from '../../src/notify';
import { DEFAULT_POLICY } from '../../src/contract';
import { FakeTarget } from '../helpers/fake-target';
import { hasuraEventBody } from '../helpers/hasura';
import { connectTestTemporal, testWorkflowBundle, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';

const KEY_A = randomBytes(32).toString('base64');
const KEY_B = randomBytes(32).toString('base64');
const CODEC_TOKEN = 'codec-token-for-tests';
const json = (value: unknown): Payload => ({
  metadata: { encoding: Buffer.from('json/plain') },
  data: Buffer.from(JSON.stringify(value)),
});
const codecFor = (env: Env) => new EncryptionCodec(encryptionKeyringFromEnv(env)!);
/** What the webhook and the worker build from PAYLOAD_ENCRYPTION_KEYS, as their loaders read it. */
const dataConverterFromEnv = (env: Env) => dataConverterFor(encryptionKeyringFromEnv(env));

describe('keys from the environment', () => {
  test('when no keys are configured, then there is no data converter', () => {
    expect(dataConverterFromEnv({})).toBeUndefined();
  });

  test.each([
    [
      'a key of the wrong length',
      { PAYLOAD_ENCRYPTION_KEYS: `a:${randomBytes(16).toString('base64')}` },
      /PAYLOAD_ENCRYPTION_KEYS: entry 1 \("a"\): key must be 32 bytes/,
    ],
    [
      'an entry without an id',
      { PAYLOAD_ENCRYPTION_KEYS: KEY_A },
      /PAYLOAD_ENCRYPTION_KEYS: entry 1: expected id:base64key/,
    ],
    ['a key id twice', { PAYLOAD_ENCRYPTION_KEYS: `a:${KEY_A},a:${KEY_B}` }, /key id "a" appears twice/],
    [
      'two keys and no current id',
      { PAYLOAD_ENCRYPTION_KEYS: `a:${KEY_A},b:${KEY_B}` },
      /PAYLOAD_ENCRYPTION_KEY_ID: required/,
    ],
    [
      'a current id that is not a key',
      { PAYLOAD_ENCRYPTION_KEYS: `a:${KEY_A}`, PAYLOAD_ENCRYPTION_KEY_ID: 'z' },
      /PAYLOAD_ENCRYPTION_KEY_ID: "z" is not one of the ids/,
    ],
    [
      'a current id without keys',
      { PAYLOAD_ENCRYPTION_KEY_ID: 'a' },
      /PAYLOAD_ENCRYPTION_KEY_ID: set without PAYLOAD_ENCRYPTION_KEYS/,
    ],
  ])('when the environment has %s, then the error names the variable and quotes no key', (_name, env, message) => {
    expect(() => dataConverterFromEnv(env)).toThrow(message);
    try {
      dataConverterFromEnv(env);
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(KEY_A);
      expect(String((error as Error).message)).not.toContain(KEY_B);
    }
  });
});

describe('the codec', () => {
  const codec = codecFor({ PAYLOAD_ENCRYPTION_KEYS: `a:${KEY_A}` });

  test('when a payload is encoded twice, then both are encrypted with fresh IVs and decode to the original', async () => {
    const original = json({ marker: 'plain-row-value' });
    const [first, second] = await codec.encode([original, original]);
    expect(Buffer.from(first.metadata!.encoding!).toString()).toBe('binary/encrypted');
    expect(Buffer.from(first.metadata!['encryption-key-id']!).toString()).toBe('a');
    expect(Buffer.from(first.data!).includes('plain-row-value')).toBe(false);
    expect(Buffer.from(first.data!).subarray(0, 12).equals(Buffer.from(second.data!).subarray(0, 12))).toBe(false);
    const [decoded] = await codec.decode([first]);
    expect(Buffer.from(decoded.data!).toString()).toBe(JSON.stringify({ marker: 'plain-row-value' }));
    expect(Buffer.from(decoded.metadata!.encoding!).toString()).toBe('json/plain');
  });

  test('when the key is rotated from A to B, then payloads written with A still decode and new ones use B', async () => {
    const [writtenWithA] = await codec.encode([json('old')]);
    const rotated = codecFor({ PAYLOAD_ENCRYPTION_KEYS: `a:${KEY_A},b:${KEY_B}`, PAYLOAD_ENCRYPTION_KEY_ID: 'b' });
    const [writtenWithB] = await rotated.encode([json('new')]);
    expect(Buffer.from(writtenWithB.metadata!['encryption-key-id']!).toString()).toBe('b');
    const decoded = await rotated.decode([writtenWithA, writtenWithB]);
    expect(decoded.map((p) => Buffer.from(p.data!).toString())).toEqual(['"old"', '"new"']);
  });

  test('when a payload names a key the codec does not hold, then decoding fails loudly', async () => {
    const [writtenWithB] = await codecFor({ PAYLOAD_ENCRYPTION_KEYS: `b:${KEY_B}` }).encode([json('x')]);
    await expect(codec.decode([writtenWithB])).rejects.toThrow(PayloadDecryptionError);
    await expect(codec.decode([writtenWithB])).rejects.toThrow(/unknown key id "b"/);
  });

  test('when ciphertext is altered or relabelled with another key id, then decoding fails authentication', async () => {
    const both = codecFor({ PAYLOAD_ENCRYPTION_KEYS: `a:${KEY_A},b:${KEY_A}`, PAYLOAD_ENCRYPTION_KEY_ID: 'a' });
    const [sealed] = await both.encode([json('x')]);
    const flipped = Buffer.from(sealed.data!);
    flipped[20] ^= 1;
    await expect(both.decode([{ ...sealed, data: flipped }])).rejects.toThrow(/failed authentication/);
    const relabelled = { ...sealed, metadata: { ...sealed.metadata, 'encryption-key-id': Buffer.from('b') } };
    await expect(both.decode([relabelled])).rejects.toThrow(/failed authentication/);
  });

  test('when a payload was never encrypted, then decoding passes it through', async () => {
    const plain = json('written before encryption was on');
    expect(await codec.decode([plain])).toEqual([plain]);
  });
});

/** Every payload's data in a proto-JSON history, base64-decoded, so a plaintext marker would show. */
function payloadTexts(node: unknown): string {
  if (Array.isArray(node)) return node.map(payloadTexts).join('\n');
  if (!node || typeof node !== 'object') return '';
  const { metadata, data } = node as { metadata?: unknown; data?: unknown };
  if (metadata && typeof data === 'string') return Buffer.from(data, 'base64').toString('utf8');
  return Object.values(node).map(payloadTexts).join('\n');
}

describe('on the Temporal server', () => {
  let temporal: TestTemporal;
  let codecServer: Server;
  let codecUrl: string;
  const rotatedEnv = { PAYLOAD_ENCRYPTION_KEYS: `a:${KEY_A},b:${KEY_B}`, PAYLOAD_ENCRYPTION_KEY_ID: 'b' };

  beforeAll(async () => {
    temporal = await connectTestTemporal();
    const app = express().use(createCodecRouter({ codec: codecFor(rotatedEnv), authToken: new Secret(CODEC_TOKEN) }));
    codecServer = app.listen(0, '127.0.0.1');
    await once(codecServer, 'listening');
    codecUrl = `http://127.0.0.1:${(codecServer.address() as AddressInfo).port}/codec`;
  });
  afterAll(async () => {
    await temporal?.close();
    await new Promise((resolve) => codecServer?.close(resolve));
  });

  const showHistory = async (workflowId: string, codecArgs: string[] = []) => {
    const { stdout } = await promisify(execFile)(
      process.env.TEMPORAL_CLI_PATH!,
      ['workflow', 'show', '-w', workflowId, '-o', 'json', '--address', temporal.address, ...codecArgs],
      { maxBuffer: 16 << 20 },
    );
    return payloadTexts(JSON.parse(stdout));
  };

  test('when an event is started with key A and run by a worker switched to key B, then history holds no plaintext and decodes through the codec server', async () => {
    const marker = `row-marker-${randomUUID()}`;
    const taskQueue = uniqueTaskQueue('encrypted');
    const writerClient = new Client({
      connection: temporal.client.connection,
      dataConverter: dataConverterFromEnv({ PAYLOAD_ENCRYPTION_KEYS: `a:${KEY_A}` }),
    });
    const rotatedClient = new Client({
      connection: temporal.client.connection,
      dataConverter: dataConverterFromEnv(rotatedEnv),
    });
    const starter = createEventStarter({ client: writerClient, taskQueue });
    const { workflowId } = await starter.start(
      hasuraEventSchema.parse(hasuraEventBody({ new: { id: 9, title: marker, description: marker } })),
    );

    const logger = createLogger({ level: 'silent' });
    const target = new FakeTarget();
    const activities = createActivities({
      targets: { servicenow: target },
      config: DEFAULT_MAPPING,
      notifier: createNotifier({}, { logger }),
      mapper: createEventMapper(DEFAULT_MAPPING),
      logger,
      temporal: { uiUrl: 'http://ui.test', namespace: 'default' },
      policy: DEFAULT_POLICY,
    });
    const worker = await createQueueWorkers({
      connection: temporal.nativeConnection,
      namespace: 'default',
      taskQueue,
      activities,
      workflowBundle: await testWorkflowBundle(),
      dataConverter: dataConverterFromEnv(rotatedEnv),
    });
    const outcome = await worker.runUntil(rotatedClient.workflow.getHandle(workflowId).result());
    expect(outcome).toMatchObject({ status: 'created', ticket: { number: target.tickets[0].number } });
    expect(JSON.stringify(target.tickets[0].fields)).toContain(marker);

    const history = await temporal.client.workflow.getHandle(workflowId).fetchHistory();
    const historyBytes = Buffer.from(proto.api.history.v1.History.encode(history).finish());
    expect(historyBytes.includes(marker)).toBe(false);
    expect(historyBytes.includes('encryption-key-id')).toBe(true);
    expect(await showHistory(workflowId)).not.toContain(marker);
    expect(
      await showHistory(workflowId, ['--codec-endpoint', codecUrl, '--codec-auth', `Bearer ${CODEC_TOKEN}`]),
    ).toContain(marker);
  });
});
