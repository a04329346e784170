import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, formatZodIssues } from '../common/config-error';
import { Secret } from '../common/secret';

/**
 * The variables a settings loader reads: `process.env` at an entry point, a plain object in tests.
 * Only the loaders in src/settings (and the file loader they hand it to) ever see one.
 */
export type Env = Readonly<Record<string, string | undefined>>;

/** The named variables, with '' as unset: deployment tools often set a variable to '' to mean "unset". */
export function setVariables(env: Env, names: readonly string[]): Env {
  return Object.fromEntries(names.map((name) => [name, env[name] || undefined]));
}

/** Parses environment variables with a zod object whose keys are the variable names. */
export function parseEnv<S extends z.ZodTypeAny>(schema: S, env: Env): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) throw new ConfigError(formatZodIssues(result.error));
  return result.data;
}

export const envBoolean = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
export const envInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Reads `NAME` or, when `NAME_FILE` is set, the trimmed contents of that file (Docker/K8s secrets). */
export function secretFromEnv(env: Env, name: string): Secret | undefined {
  const file = env[`${name}_FILE`];
  if (file) return new Secret(readFileSync(file, 'utf8').trim());
  const value = env[name];
  return value ? new Secret(value) : undefined;
}
