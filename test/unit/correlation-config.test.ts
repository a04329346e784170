import { inspect } from 'node:util';
import { ConfigError } from '../../src/common/config-error';
import { loadBridgeConfig, loadBridgeRouting } from '../../src/settings/file/load';
import { configDir } from '../fixtures/config/write-config';

/* `correlation:` (review R4): the secret that signs row ticket keys, and the upgrade instant for untagged ones. */
const files = configDir();
afterAll(() => files.remove());
const SECRET = 'a-correlation-secret-of-32-bytes-at-least';
const TARGET = `targets: { sn: { type: servicenow, instance_url: https://x.service-now.com, auth: { type: basic, username: u, password: { env: P } } } }\n`;
const LIFECYCLE = 'triggers: { t: { lifecycle: { enabled: true } } }\n';
const CORRELATION = 'correlation: { secret: { env: CORRELATION_SECRET } }\n';

const load = (yaml: string, env: Record<string, string> = { P: 'p', CORRELATION_SECRET: SECRET }) =>
  loadBridgeConfig({ env, path: files.write('c.yaml', `${TARGET}${yaml}`) });

function problemsOf(yaml: string, env?: Record<string, string>): string[] {
  try {
    load(yaml, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the config loaded, but it should have been refused');
}

test.each([
  ['a trigger enables lifecycle', LIFECYCLE, /^correlation\.secret: required: triggers\.t enable lifecycle/],
  [
    'the defaults enable lifecycle',
    'defaults: { lifecycle: { enabled: true } }\n',
    /^correlation\.secret: required: defaults enable lifecycle/,
  ],
  [
    'the secret is shorter than 32 bytes',
    `${LIFECYCLE}correlation: { secret: { env: SHORT } }\n`,
    /^correlation\.secret: must be at least 32 bytes \(got 5\)/,
  ],
  [
    'the secret is written in the file',
    `${LIFECYCLE}correlation: { secret: "${SECRET}" }\n`,
    /^correlation\.secret: plain-text secrets are not allowed/,
  ],
  [
    'its variable is not set',
    `${LIFECYCLE}correlation: { secret: { env: UNSET } }\n`,
    /^correlation\.secret: environment variable UNSET/,
  ],
  [
    'legacy_before has no zone',
    `${LIFECYCLE}correlation: { secret: { env: CORRELATION_SECRET }, legacy_before: "2026-12-01T00:00:00" }\n`,
    /^correlation\.legacy_before: must be an ISO timestamp with its zone/,
  ],
  [
    'a key is misspelt',
    `${LIFECYCLE}correlation: { secret: { env: CORRELATION_SECRET }, legacy: x }\n`,
    /^correlation: Unrecognized key/,
  ],
])('when %s, then loading fails naming the key', (_name, yaml, problem) => {
  const problems = problemsOf(yaml, { P: 'p', CORRELATION_SECRET: SECRET, SHORT: 'short' });
  expect(problems).toHaveLength(1);
  expect(problems[0]).toMatch(problem);
});

test('when no trigger follows its row, then no secret is needed', () => {
  expect(load('triggers: { t: {} }\n').correlation).toBeUndefined();
});

test('when the secret and legacy_before are set, then the config holds the secret as a Secret and the instant', () => {
  const config = load(`${LIFECYCLE}${CORRELATION.replace(' }\n', ', legacy_before: "2026-12-01T01:00:00+01:00" }\n')}`);
  expect(config.correlation?.secret.reveal()).toBe(SECRET);
  expect(config.correlation?.legacyBeforeMs).toBe(Date.parse('2026-12-01T00:00:00Z'));
  expect(`${JSON.stringify(config)}${inspect(config, { depth: 10 })}`).not.toContain(SECRET);
});

test("when the webhook loads the file, then it reads the correlation secret and none of the targets' secrets", () => {
  const path = files.write('w.yaml', `${TARGET}${LIFECYCLE}${CORRELATION}`);
  const routing = loadBridgeRouting({ BRIDGE_CONFIG: path, CORRELATION_SECRET: SECRET });
  expect(routing?.correlation?.secret.reveal()).toBe(SECRET);
  expect(() => loadBridgeRouting({ BRIDGE_CONFIG: path })).toThrow(/correlation\.secret: environment variable/);
});
