import { z } from 'zod';

/**
 * The variables a settings loader reads: `process.env` at an entry point, a plain object in tests.
 * Only the loaders in src/config/settings (and the file loader they hand it to) ever see one.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Every problem names the variable (or config key) it is about, so the fix is obvious. */
export function formatZodIssues(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((issue) => {
    const key = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    return `${key || '(root)'}: ${issue.message}`;
  });
}

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
