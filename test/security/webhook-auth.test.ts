import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/api/app';
import type { EventStarter } from '../../src/starting/event-starter';
import { Secret } from '../../src/common/secret';
import { webhookHttpFromEnv } from '../../src/settings/http';
import { createLogger } from '../../src/logging';
import { hasuraEventBody } from '../helpers/hasura';

const started: string[] = [];
const starter: EventStarter = {
  async start(body) {
    started.push(body.id);
    return { workflowId: `wf-${body.id}`, duplicate: false };
  },
  async ping() {},
};
const appFor = (env: NodeJS.ProcessEnv) =>
  createApp({ starter, logger: createLogger({ level: 'silent' }), webhook: webhookHttpFromEnv(env) });
const deliver = (app: ReturnType<typeof appFor>, secret?: string, header = 'x-webhook-secret') => {
  const call = request(app).post('/hasura/events').set('content-type', 'application/json');
  return (secret === undefined ? call : call.set(header, secret)).send(JSON.stringify(hasuraEventBody()));
};

const CURRENT = 'current-8f2c41d9a7b3e6f0';
const PREVIOUS = 'previous-1b9e77c04d2a5f3e';

describe('shared secret', () => {
  const app = appFor({ WEBHOOK_SECRET: CURRENT, WEBHOOK_SECRET_PREVIOUS: PREVIOUS });

  test('when the secret is missing, wrong, a prefix, an extension or differs in case, then every answer is the same 401 and nothing starts', async () => {
    const before = started.length;
    const probes = [
      undefined,
      '',
      'guess',
      CURRENT.slice(0, -1),
      `${CURRENT}0`,
      CURRENT.toUpperCase(),
      PREVIOUS.slice(0, 12),
    ];
    const answers = await Promise.all(probes.map((probe) => deliver(app, probe)));
    const shapes = answers.map((answer) => ({
      status: answer.status,
      body: answer.text,
      type: answer.headers['content-type'],
    }));
    expect(new Set(shapes.map((shape) => JSON.stringify(shape))).size).toBe(1);
    expect(shapes[0]).toMatchObject({
      status: 401,
      body: JSON.stringify({ error: 'unauthorized', message: 'missing or invalid x-webhook-secret header' }),
    });
    expect(answers.map((answer) => answer.text).join('')).not.toMatch(/current-|previous-|8f2c|1b9e/);
    expect(started.length).toBe(before);
  });

  test('when the secret arrives in another header than the configured one, then 401', async () => {
    expect((await deliver(app, CURRENT, 'authorization')).status).toBe(401);
  });
});

describe('rotation', () => {
  test('when WEBHOOK_SECRET and WEBHOOK_SECRET_PREVIOUS are both set, then both are accepted and nothing else is', async () => {
    const app = appFor({ WEBHOOK_SECRET: CURRENT, WEBHOOK_SECRET_PREVIOUS: PREVIOUS });
    expect((await deliver(app, CURRENT)).status).toBe(200);
    expect((await deliver(app, PREVIOUS)).status).toBe(200);
    expect((await deliver(app, `${PREVIOUS}x`)).status).toBe(401);
  });

  test('when the rotation ends (previous unset), then the old secret is refused', async () => {
    const app = appFor({ WEBHOOK_SECRET: CURRENT });
    expect((await deliver(app, PREVIOUS)).status).toBe(401);
    expect((await deliver(app, CURRENT)).status).toBe(200);
  });

  test('when the secrets come from *_FILE files, then they are trimmed and both accepted', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'webhook-secret-'));
    writeFileSync(path.join(dir, 'current'), `${CURRENT}\n`);
    writeFileSync(path.join(dir, 'previous'), `${PREVIOUS}\n`);
    const app = appFor({
      WEBHOOK_SECRET_FILE: path.join(dir, 'current'),
      WEBHOOK_SECRET_PREVIOUS_FILE: path.join(dir, 'previous'),
    });
    expect([(await deliver(app, CURRENT)).status, (await deliver(app, PREVIOUS)).status]).toEqual([200, 200]);
  });
});

/**
 * Timing: the secret is long (64 KiB) so that an early-exit comparison would differ by tens of
 * microseconds between a near-match (differs in the last character) and a far-miss (the first).
 * Small batches alternate (order flipped every round) so machine-wide noise hits both alike, and
 * the 10th percentile of 201 batches ignores the bursts of a loaded 2-core runner.
 */
describe('constant-time comparison', () => {
  const SECRET_LENGTH = 64 * 1024;
  // Flat (non-rope) strings, so no candidate pays a one-off flattening cost.
  const flat = (text: string) => Buffer.from(text).toString();
  const secretText = flat('s'.repeat(SECRET_LENGTH));
  const nearMatch = flat(`${'s'.repeat(SECRET_LENGTH - 1)}x`);
  const farMiss = flat(`x${'s'.repeat(SECRET_LENGTH - 1)}`);

  function lowPercentileRatio(equals: (candidate: string) => boolean): number {
    const samples = { near: [] as number[], far: [] as number[] };
    const time = (candidate: string) => {
      const started = process.hrtime.bigint();
      for (let i = 0; i < 5; i++) equals(candidate);
      return Number(process.hrtime.bigint() - started);
    };
    const round = (order: ('near' | 'far')[]) =>
      order.forEach((kind) => samples[kind].push(time(kind === 'near' ? nearMatch : farMiss)));
    for (let i = 0; i < 10; i++) round(['near', 'far']); // JIT warm-up
    samples.near.length = samples.far.length = 0;
    for (let i = 0; i < 201; i++) round(i % 2 ? ['near', 'far'] : ['far', 'near']);
    const tenthPercentile = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 10)];
    return tenthPercentile(samples.near) / tenthPercentile(samples.far);
  }

  test('when the measurement is pointed at an early-exit comparison, then it detects the leak (the check has power here)', () => {
    const leakyEquals = (candidate: string) => {
      for (let i = 0; i < secretText.length; i++)
        if (candidate.charCodeAt(i) !== secretText.charCodeAt(i)) return false;
      return candidate.length === secretText.length;
    };
    expect(lowPercentileRatio(leakyEquals)).toBeGreaterThan(3);
  });

  test('when Secret.equals compares a near-match and a far-miss, then their times agree within a wide tolerance', () => {
    const secret = new Secret(secretText);
    const ratio = lowPercentileRatio((candidate) => secret.equals(candidate));
    expect(ratio).toBeGreaterThan(0.67);
    expect(ratio).toBeLessThan(1.5);
  });
});
