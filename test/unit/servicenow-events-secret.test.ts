import { ConfigError } from '../../src/common/config-error';
import { serviceNowEventsFromEnv } from '../../src/settings/servicenow-inbound';
import { configDir } from '../fixtures/config/write-config';

const files = configDir();
afterAll(() => files.remove());

const LONG = 'x'.repeat(32);
const OTHER = 'y'.repeat(40);

function problemsOf(env: Record<string, string>): string[] {
  try {
    serviceNowEventsFromEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('the receiver refuses to start with a weak secret (an empty HMAC key lets anyone sign)', () => {
  test.each([
    ['an empty SERVICENOW_EVENTS_SECRET_FILE', () => ({ SERVICENOW_EVENTS_SECRET_FILE: files.write('empty', '') })],
    [
      'a SERVICENOW_EVENTS_SECRET_FILE of whitespace',
      () => ({ SERVICENOW_EVENTS_SECRET_FILE: files.write('blank', ' \n\t\n') }),
    ],
    [
      'an empty SERVICENOW_EVENTS_SECRET_PREVIOUS_FILE',
      () => ({ SERVICENOW_EVENTS_SECRET: LONG, SERVICENOW_EVENTS_SECRET_PREVIOUS_FILE: files.write('empty2', '') }),
    ],
  ])('when it gets %s, then start-up fails naming that setting', (_name, env) => {
    const vars = env();
    const [problem] = problemsOf(vars);
    const named = Object.keys(vars).find((name) => name.endsWith('_FILE'));
    expect(problem).toBe(`${named}: must hold at least 32 bytes (the file is empty)`);
  });

  test.each([
    ['SERVICENOW_EVENTS_SECRET', { SERVICENOW_EVENTS_SECRET: 'short-secret', SERVICENOW_EVENTS_AUTH: 'hmac' }],
    ['SERVICENOW_EVENTS_SECRET', { SERVICENOW_EVENTS_SECRET: 'x'.repeat(31) }],
    [
      'SERVICENOW_EVENTS_SECRET_PREVIOUS',
      { SERVICENOW_EVENTS_SECRET: LONG, SERVICENOW_EVENTS_SECRET_PREVIOUS: 'old-secret' },
    ],
    ['SERVICENOW_EVENTS_SECRET_FILE', { SERVICENOW_EVENTS_SECRET_FILE: files.write('short', 'short-secret\n') }],
  ])('when %s is shorter than 32 bytes, then start-up fails naming it, without the value', (name, env) => {
    const problems = problemsOf(env);
    expect(problems).toEqual([`${name}: must hold at least 32 bytes (a long random string; see README)`]);
    expect(problems.join()).not.toMatch(/short-secret|old-secret|x{31}/);
  });

  test('when the secret file cannot be read, then start-up fails naming the setting', () => {
    expect(problemsOf({ SERVICENOW_EVENTS_SECRET_FILE: '/nonexistent/sn-secret' })).toEqual([
      'SERVICENOW_EVENTS_SECRET_FILE: cannot be read (ENOENT)',
    ]);
  });

  test('when the secrets are 32 bytes or more, then both are accepted (bytes, not characters)', () => {
    const config = serviceNowEventsFromEnv({
      SERVICENOW_EVENTS_SECRET: 'é'.repeat(16),
      SERVICENOW_EVENTS_SECRET_PREVIOUS_FILE: files.write('previous', `${OTHER}\n`),
    });
    expect(config?.secrets.map((secret) => secret.reveal())).toEqual(['é'.repeat(16), OTHER]);
  });

  test("when the variables are set to '' (a deployment tool's unset), then the route is off, never keyed with ''", () => {
    expect(serviceNowEventsFromEnv({ SERVICENOW_EVENTS_SECRET: '', SERVICENOW_EVENTS_SECRET_PREVIOUS: '' })).toBe(
      undefined,
    );
    expect(problemsOf({ SERVICENOW_EVENTS_SECRET: LONG, SERVICENOW_EVENTS_SECRET_PREVIOUS: '' })).toEqual([]);
  });
});
