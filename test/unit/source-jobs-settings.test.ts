import { ConfigError } from '../../src/common/config-error';
import { loadWorkerSettings } from '../../src/settings/worker';
import { configDir } from '../fixtures/config/write-config';

const files = configDir();
const WORKER = {
  SERVICENOW_INSTANCE_URL: 'https://dev1.service-now.com',
  SERVICENOW_USERNAME: 'u',
  SERVICENOW_PASSWORD: 'p',
};
const WITH_SOURCE = files.write(
  'source.yaml',
  'source:\n  postgres:\n    url: { env: SOURCE_DATABASE_URL }\ntriggers:\n  orders_changed: {}\n',
);
const NO_SOURCE = files.write('plain.yaml', 'triggers:\n  orders_changed: {}\n');
const NO_TRIGGERS = files.write('bare.yaml', 'source:\n  postgres:\n    url: { env: SOURCE_DATABASE_URL }\n');
afterAll(() => files.remove());

const problemsOf = (env: Record<string, string>) => {
  try {
    loadWorkerSettings({ ...WORKER, SOURCE_DATABASE_URL: 'postgres://db/app', ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

test('when CATCH_UP_INTERVAL is unset or empty, then there is no Schedule and the backfill lane has its default rate', () => {
  for (const interval of [{}, { CATCH_UP_INTERVAL: '' }]) {
    const settings = loadWorkerSettings({ ...WORKER, TEMPORAL_TASK_QUEUE: 'q', ...interval });

    expect(settings.sourceJobs).toEqual({ backfill: { taskQueue: 'q-backfill', maxActivitiesPerSecond: 5 } });
  }
});

test('when CATCH_UP_INTERVAL is set with a source and named triggers, then the Schedule sweeps those triggers', () => {
  const env = { BRIDGE_CONFIG: WITH_SOURCE, CATCH_UP_INTERVAL: '15m', BACKFILL_RATE_LIMIT_PER_SECOND: '2' };
  const settings = loadWorkerSettings({ ...WORKER, SOURCE_DATABASE_URL: 'postgres://db/app', ...env });

  expect(settings.sourceJobs.catchUp).toEqual({ intervalMs: 900_000, triggers: ['orders_changed'] });
  expect(settings.sourceJobs.backfill.maxActivitiesPerSecond).toBe(2);
});

test.each([
  ['no source.postgres.url', { BRIDGE_CONFIG: NO_SOURCE, CATCH_UP_INTERVAL: '15m' }, 'needs source.postgres.url'],
  ['no named trigger', { BRIDGE_CONFIG: NO_TRIGGERS, CATCH_UP_INTERVAL: '15m' }, 'BRIDGE_CONFIG names no triggers'],
  ['too short an interval', { BRIDGE_CONFIG: WITH_SOURCE, CATCH_UP_INTERVAL: '1s' }, 'at least 10s'],
  ['a rate of zero', { BACKFILL_RATE_LIMIT_PER_SECOND: '0' }, 'BACKFILL_RATE_LIMIT_PER_SECOND'],
])('when the worker gets %s, then it refuses to start, naming the variable', (_case, env, message) => {
  const problems = problemsOf(env);

  expect(problems.join('\n')).toContain(message);
  expect(problems.every((problem) => /^(CATCH_UP_INTERVAL|BACKFILL_RATE_LIMIT_PER_SECOND):/.test(problem))).toBe(true);
});
