import { z } from 'zod';
import { parseEnv, setVariables, type Env } from './env';
import type { LogSettings } from '../config/settings';

const schema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  NODE_ENV: z.string().optional(),
});

export const LOG_VARIABLES: readonly string[] = Object.keys(schema.shape);

/** pino's level and format: JSON for log shippers in production, pretty at a terminal otherwise. */
export function logSettingsFromEnv(env: Env): LogSettings {
  const parsed = parseEnv(schema, setVariables(env, LOG_VARIABLES));
  const format = parsed.LOG_FORMAT ?? (parsed.NODE_ENV === 'production' ? 'json' : 'pretty');
  return { level: parsed.LOG_LEVEL, format };
}
