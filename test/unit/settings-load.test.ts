import { join } from 'node:path';
import { inspect } from 'node:util';
import { ConfigError } from '../../src/common/config-error';
import { loadWebhookSettings } from '../../src/settings/webhook';
import { loadWorkerSettings } from '../../src/settings/worker';
import { createLogger } from '../../src/logging';
import { workerDependencies } from '../../src/worker/dependencies';
import { DEFAULT_POLICY } from '../../src/contract';
import { CORRELATION_ENV } from '../helpers/correlation';

const ROOT = join(__dirname, '../..');
const EXAMPLE = join(ROOT, 'examples/bridge.yaml');
const WEBHOOK = { WEBHOOK_SECRET: 'webhook-secret-value' };
const WORKER = {
  SERVICENOW_INSTANCE_URL: 'https://dev1.service-now.com',
  SERVICENOW_USERNAME: 'u',
  SERVICENOW_PASSWORD: 'sn-pw-value',
};
const POLICY_ENV = {
  TICKET_RETRY_INITIAL_INTERVAL: '200ms',
  TICKET_RETRY_MAX_INTERVAL: '1s',
  TICKET_RETRY_BACKOFF: '3',
  TICKET_RETRY_MAX_ATTEMPTS: '4',
  TICKET_ATTEMPT_TIMEOUT: '5s',
  PARK_TIMEOUT: '10m',
  DUPLICATE_CHECK_DELAY: '1s',
  ROW_RETENTION: '2h',
  LOOKUP_FIRST_AFTER: '30m',
  ROW_IDLE: '30m',
  TICKETING_TASK_QUEUE: 'ticketing',
};

describe('retry policy and park time', () => {
  it('when the worker is given them, then its policy holds them and the ticketing queue serves both uses', () => {
    const limited = { TICKET_RATE_LIMIT_PER_SECOND: '2', TICKET_CREATE_QUEUE: 'ticketing' };
    const settings = loadWorkerSettings({ ...WORKER, ...POLICY_ENV, ...limited });

    expect(settings.policy).toEqual({
      ticketRetry: { initialIntervalMs: 200, maximumIntervalMs: 1000, backoffCoefficient: 3, maximumAttempts: 4 },
      attemptTimeoutMs: 5000,
      parkTimeoutMs: 600_000,
      duplicateCheckDelayMs: 1000,
      rowRetentionMs: 7_200_000,
      lookupFirstAfterMs: 1_800_000,
      rowIdleMs: 1_800_000,
      ticketTaskQueue: 'ticketing',
      writeBackRetry: DEFAULT_POLICY.writeBackRetry,
    });
    expect(settings.ticketing).toEqual({ taskQueue: 'ticketing', maxActivitiesPerSecond: 2 });
  });

  it("when the worker rate-limits ticket calls, then it needs single events' creates on the ticketing queue", () => {
    const limited = { ...WORKER, ...POLICY_ENV, TICKET_RATE_LIMIT_PER_SECOND: '2' };
    expect(() => loadWorkerSettings(limited)).toThrow(
      /- TICKET_RATE_LIMIT_PER_SECOND: .*TICKET_CREATE_QUEUE=ticketing/,
    );
    expect(loadWorkerSettings({ ...limited, TICKET_CREATE_QUEUE: 'ticketing' }).temporal.createQueue).toBe('ticketing');
    expect(loadWorkerSettings(WORKER).temporal.createQueue).toBe('workflow');
    expect(loadWebhookSettings({ ...WEBHOOK, TICKET_CREATE_QUEUE: 'ticketing' }).temporal.createQueue).toBe(
      'ticketing',
    );
    expect(() => loadWebhookSettings({ ...WEBHOOK, TICKET_CREATE_QUEUE: 'lane' })).toThrow(/- TICKET_CREATE_QUEUE: /);
  });

  it('when the worker is given none, then the defaults apply', () => {
    expect(loadWorkerSettings(WORKER).policy).toEqual({ ...DEFAULT_POLICY, ticketTaskQueue: undefined });
  });

  it('when the webhook is given them, even malformed, then it does not read them', () => {
    const settings = loadWebhookSettings({ ...WEBHOOK, TICKET_RETRY_MAX_ATTEMPTS: 'many', PARK_TIMEOUT: 'soon' });

    expect(Object.keys(settings).sort()).toEqual([
      'codecServer',
      'http',
      'keyring',
      'log',
      'routing',
      'servicenowEvents',
      'temporal',
    ]);
  });

  it.each([
    ['PARK_TIMEOUT', { PARK_TIMEOUT: 'soon' }],
    ['TICKET_RETRY_BACKOFF', { TICKET_RETRY_BACKOFF: '0.5' }],
    ['TICKET_RATE_LIMIT_PER_SECOND', { TICKET_RATE_LIMIT_PER_SECOND: '5' }],
  ])('when the worker is given a wrong %s, then the error names it', (name, overrides) => {
    expect(() => loadWorkerSettings({ ...WORKER, ...overrides })).toThrow(ConfigError);
    expect(() => loadWorkerSettings({ ...WORKER, ...overrides })).toThrow(new RegExp(`- ${name}: `));
  });

  it("when the worker builds the activities' collaborators, then they carry its policy", async () => {
    const settings = loadWorkerSettings({ ...WORKER, ...POLICY_ENV });
    const { deps, close } = workerDependencies(settings, { logger: createLogger({ level: 'silent' }) });

    expect(deps.policy).toBe(settings.policy);
    await close();
  });
});

describe('the settings objects', () => {
  it('when loaded, then they are frozen through their plain objects', () => {
    const settings = loadWorkerSettings({ ...WORKER, ...POLICY_ENV });

    expect(Object.isFrozen(settings)).toBe(true);
    expect(Object.isFrozen(settings.policy.ticketRetry)).toBe(true);
    expect(Object.isFrozen(settings.bridge.defaults.lifecycle)).toBe(true);
    expect(() => Object.assign(settings.policy, { parkTimeoutMs: 1 })).toThrow(TypeError);
  });

  it('when printed, then every secret shows as <secret>', () => {
    const printed = [
      JSON.stringify(loadWorkerSettings(WORKER)),
      inspect(loadWorkerSettings(WORKER), { depth: 10 }),
      JSON.stringify(loadWebhookSettings(WEBHOOK)),
    ].join('\n');

    expect(printed).not.toMatch(/sn-pw-value|webhook-secret-value/);
    expect(printed).toContain('<secret>');
  });

  it.each([
    ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }],
    ['LOG_FORMAT', { LOG_FORMAT: 'xml' }],
  ])('when %s is wrong, then the error names it', (name, overrides) => {
    expect(() => loadWebhookSettings({ ...WEBHOOK, ...overrides })).toThrow(new RegExp(`- ${name}: `));
  });

  it('when NODE_ENV is production and LOG_FORMAT unset, then logs are JSON; blank LOG_FORMAT counts as unset', () => {
    const production = loadWebhookSettings({ ...WEBHOOK, NODE_ENV: 'production', LOG_FORMAT: '' });
    expect(production.log).toMatchObject({ format: 'json' });
    expect(loadWebhookSettings({ ...WEBHOOK, WEBHOOK_SECRET_HEADER: 'X-Hook' }).log).toEqual({
      level: 'info',
      format: 'pretty',
      redactHeaders: ['x-hook'],
    });
  });
});

describe('BRIDGE_CONFIG', () => {
  it("when the webhook loads the example, then it routes by its triggers without any of the file's secrets", () => {
    const { routing } = loadWebhookSettings({ ...WEBHOOK, ...CORRELATION_ENV, BRIDGE_CONFIG: EXAMPLE });

    expect(routing?.triggers.create_servicenow_incident.lifecycle.enabled).toBe(true);
    expect(routing).not.toHaveProperty('targets');
  });

  it('when the worker loads the example without its secrets, then the error names the missing variable', () => {
    const missing = /targets\.jira\.api_token: environment variable JIRA_API_TOKEN \(or JIRA_API_TOKEN_FILE\) is not/;
    expect(() => loadWorkerSettings({ BRIDGE_CONFIG: EXAMPLE })).toThrow(missing);
  });
});
