import { z } from 'zod';

import { ConfigError, formatZodIssues } from '../../src/common/config-error';
import { envInt, parseEnv, type Env } from '../../src/settings/env';
import { secretFromEnv } from '../../src/settings/env';
import { variablesOf } from '../../src/settings/compose';
import { LOG_VARIABLES, logSettingsFromEnv } from '../../src/settings/logging';
import type { LogSettings } from '../../src/config/settings';
import { faultConfigSchema, type FaultConfig } from './servicenow/faults';
import type { SimulatorOptions } from './servicenow/server';

const simulatorEnvSchema = z.object({
  SIMULATOR_PORT: envInt(0, 65_535).default(8090),
  SIMULATOR_HOST: z.string().min(1).default('127.0.0.1'),
  SIMULATOR_USERNAME: z.string().min(1).default('bridge'),
  SIMULATOR_FAULTS: z.string().optional(),
  SIMULATOR_RATE_LIMIT_PER_HOUR: envInt(1, 1_000_000_000).optional(),
});

/** Every variable `npm run simulator` reads (SIMULATOR_PASSWORD also as SIMULATOR_PASSWORD_FILE). */
export const SIMULATOR_VARIABLES = variablesOf(LOG_VARIABLES, Object.keys(simulatorEnvSchema.shape), [
  'SIMULATOR_PASSWORD',
]);

function faultsFromJson(text: string | undefined): FaultConfig {
  if (text === undefined || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(['SIMULATOR_FAULTS: not valid JSON']);
  }
  const result = faultConfigSchema.safeParse(parsed);
  if (!result.success) throw new ConfigError(formatZodIssues(result.error, 'SIMULATOR_FAULTS'));
  return result.data;
}

/**
 * The simulator's options from SIMULATOR_* variables (SIMULATOR_PASSWORD or SIMULATOR_PASSWORD_FILE);
 * SIMULATOR_RATE_LIMIT_PER_HOUR overrides the perHour of any rateLimit in SIMULATOR_FAULTS.
 */
export function simulatorOptionsFromEnv(env: Env): SimulatorOptions {
  const parsed = parseEnv(simulatorEnvSchema, env);
  const password = secretFromEnv(env, 'SIMULATOR_PASSWORD')?.reveal() ?? 'bridge-password';
  const faults = faultsFromJson(parsed.SIMULATOR_FAULTS);
  if (parsed.SIMULATOR_RATE_LIMIT_PER_HOUR !== undefined) {
    faults.rateLimit = { ...faults.rateLimit, perHour: parsed.SIMULATOR_RATE_LIMIT_PER_HOUR };
  }
  return {
    port: parsed.SIMULATOR_PORT,
    host: parsed.SIMULATOR_HOST,
    users: [{ username: parsed.SIMULATOR_USERNAME, password }],
    faults,
  };
}

/** The settings of `npm run simulator`, read once by dev/simulator/main.ts. */
export function loadSimulatorSettings(env: Env): { log: LogSettings; simulator: SimulatorOptions } {
  return { log: logSettingsFromEnv(env), simulator: simulatorOptionsFromEnv(env) };
}
