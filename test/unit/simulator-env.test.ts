import { ConfigError } from '../../src/common/config-error';
import { simulatorOptionsFromEnv } from '../../dev/simulator/env';

describe('simulatorOptionsFromEnv', () => {
  test('when nothing is set, then the documented defaults apply', () => {
    expect(simulatorOptionsFromEnv({})).toEqual({
      port: 8090,
      host: '127.0.0.1',
      users: [{ username: 'bridge', password: 'bridge-password' }],
      faults: {},
    });
  });

  test('when every variable is set, then each reaches the options', () => {
    const options = simulatorOptionsFromEnv({
      SIMULATOR_PORT: '0',
      SIMULATOR_HOST: '0.0.0.0',
      SIMULATOR_USERNAME: 'svc',
      SIMULATOR_PASSWORD: 'pw',
      SIMULATOR_FAULTS: '{"latencyMs":20,"rateLimit":{"perHour":5,"windowMs":1000}}',
      SIMULATOR_RATE_LIMIT_PER_HOUR: '50',
    });
    expect(options).toEqual({
      port: 0,
      host: '0.0.0.0',
      users: [{ username: 'svc', password: 'pw' }],
      faults: { latencyMs: 20, rateLimit: { perHour: 50, windowMs: 1000 } },
    });
  });

  test.each([
    ['SIMULATOR_FAULTS is not JSON', { SIMULATOR_FAULTS: '{' }, 'SIMULATOR_FAULTS: not valid JSON'],
    ['SIMULATOR_FAULTS has an unknown key', { SIMULATOR_FAULTS: '{"latency":1}' }, 'SIMULATOR_FAULTS'],
    ['SIMULATOR_PORT is not a port', { SIMULATOR_PORT: '70000' }, 'SIMULATOR_PORT'],
  ])('when %s, then a ConfigError names the variable', (_label, env, expected) => {
    expect(() => simulatorOptionsFromEnv(env)).toThrow(ConfigError);
    expect(() => simulatorOptionsFromEnv(env)).toThrow(expected);
  });
});
