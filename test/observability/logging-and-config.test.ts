import { Writable } from 'node:stream';
import { createLogger } from '../../src/logging';
import { ConfigError } from '../../src/common/config-error';
import { workerMetricsConfigFromEnv } from '../../src/settings/metrics';
import { sdkLoggerFrom } from '../../src/temporal/runtime';

function capturingLogger(level = 'trace') {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: createLogger({ level, destination }), lines };
}

test('when the SDK logs through the pino adapter, then levels, metadata and errors arrive as JSON fields', () => {
  const { logger, lines } = capturingLogger();
  const sdk = sdkLoggerFrom(logger);
  sdk.info('Activity completed', { workflowId: 'hasura-tr-1', activityType: 'createTicket', attempt: 2 });
  sdk.log('WARN', 'Activity failed', { error: new Error('503 from the instance') });
  sdk.trace('polling');
  expect(lines[0]).toMatchObject({
    level: 30,
    msg: 'Activity completed',
    workflowId: 'hasura-tr-1',
    activityType: 'createTicket',
    attempt: 2,
  });
  expect(lines[1]).toMatchObject({
    level: 40,
    msg: 'Activity failed',
    err: { message: '503 from the instance', type: 'Error' },
  });
  expect(lines[2]).toMatchObject({ level: 10, msg: 'polling' });
});

test("when pino is set to warn, then the SDK's info lines are dropped by pino, not by the adapter", () => {
  const { logger, lines } = capturingLogger('warn');
  const sdk = sdkLoggerFrom(logger);
  sdk.info('Worker state changed');
  sdk.error('Worker failed');
  expect(lines.map((line) => line.msg)).toEqual(['Worker failed']);
});

test('when no metrics variables are set, then the SDK exporter is on 9464, our registry on 9465 and the gauge refreshes every 30 s', () => {
  expect(workerMetricsConfigFromEnv({})).toEqual({
    host: '0.0.0.0',
    sdkPort: 9464,
    workerPort: 9465,
    parkedRefreshMs: 30_000,
  });
});

test('when a metrics port is "off", then that endpoint is disabled', () => {
  expect(
    workerMetricsConfigFromEnv({ METRICS_PORT: 'off', WORKER_METRICS_PORT: 'off', PARKED_GAUGE_INTERVAL: '0' }),
  ).toMatchObject({ sdkPort: undefined, workerPort: undefined, parkedRefreshMs: 0 });
});

test.each([
  [{ METRICS_PORT: '9500', WORKER_METRICS_PORT: '9500' }, /METRICS_PORT\/WORKER_METRICS_PORT: .*different ports/],
  [{ WORKER_METRICS_PORT: 'ninety' }, /WORKER_METRICS_PORT/],
  [{ PARKED_GAUGE_INTERVAL: 'soon' }, /PARKED_GAUGE_INTERVAL: not a duration/],
])('when the metrics config is wrong (%j), then the error names the variable', (env, message) => {
  expect(() => workerMetricsConfigFromEnv(env)).toThrow(ConfigError);
  expect(() => workerMetricsConfigFromEnv(env)).toThrow(message);
});
