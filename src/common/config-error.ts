import type { z } from 'zod';

/** A configuration problem: the process stops with every problem listed, each naming its key. */
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
