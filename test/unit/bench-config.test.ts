import { benchConfigFromEnv } from '../../dev/bench/config';
import { ConfigError } from '../../src/common/config-error';

/** BENCH_TEMPORAL picks the server `npm run bench` measures; anything it cannot honour stops the run up front. */
function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    benchConfigFromEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

test('when BENCH_TEMPORAL is unset, then the dev server runs with its default storage', () => {
  const config = benchConfigFromEnv({});
  expect([config.temporal, config.storage]).toEqual(['dev', ['sqlite']]);
});

test('when BENCH_TEMPORAL=cluster, then the sections run on PostgreSQL, at the scale asked for', () => {
  const config = benchConfigFromEnv({ BENCH_TEMPORAL: 'cluster', BENCH_SCALE: 'smoke' });
  expect([config.temporal, config.storage, config.e2eIncidents]).toEqual(['cluster', ['postgres'], 10]);
});

test('when BENCH_TEMPORAL names an unknown server, then the run is refused naming the variable and the choices', () => {
  expect(problems({ BENCH_TEMPORAL: 'cloud' })).toEqual([
    "BENCH_TEMPORAL: Invalid enum value. Expected 'dev' | 'cluster', received 'cloud'",
  ]);
});

test('when BENCH_STORAGE is given with the cluster, then it is refused instead of silently ignored', () => {
  expect(problems({ BENCH_TEMPORAL: 'cluster', BENCH_STORAGE: 'sqlite' })).toEqual([
    "BENCH_STORAGE: picks the dev server's storage; BENCH_TEMPORAL=cluster always stores in PostgreSQL",
  ]);
  expect(problems({ BENCH_STORAGE: 'postgres' })).toHaveLength(1);
});
