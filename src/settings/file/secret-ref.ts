import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Env } from '../env';
import { Secret } from '../../common/secret';
import { secretFromEnv } from '../env';

export const SECRET_REF_DESCRIPTION =
  'secret reference: `{ env: NAME }` (also honours NAME_FILE) or `{ file: /path }`; never a plain string';

const reference = z.union([
  z.object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name') }).strict(),
  z.object({ file: z.string().min(1) }).strict(),
]);

export type SecretRef = z.infer<typeof reference>;

/** Turns a reference into its secret, or into a sentence saying why it cannot be had. */
export type SecretSource = (ref: SecretRef) => Secret | string;

/** The worker's (and check-config's) source: the environment variable, its _FILE, or the file. */
export function secretsFrom(env: Env): SecretSource {
  return (ref) => {
    try {
      if ('file' in ref) return new Secret(readFileSync(ref.file, 'utf8').trim());
      return secretFromEnv(env, ref.env) ?? `environment variable ${ref.env} (or ${ref.env}_FILE) is not set`;
    } catch (error) {
      return `cannot read secret file: ${(error as Error).message}`;
    }
  };
}

/**
 * For a reader that only routes events (the webhook) or documents the schema: references are checked
 * for their shape, never read, so the webhook needs none of the ticketing credentials.
 */
export const SECRETS_NOT_READ: SecretSource = () => new Secret('');

/**
 * A credential in the config file, resolved into a `Secret` while the file loads so a missing
 * variable or unreadable file is reported with the key that names it.
 */
export function secretRefSchema(secrets: SecretSource) {
  return z
    .unknown()
    .describe(SECRET_REF_DESCRIPTION)
    .transform((value, ctx): Secret => {
      if (typeof value === 'string') {
        ctx.addIssue({
          code: 'custom',
          message: 'plain-text secrets are not allowed: use { env: NAME } or { file: /path }',
        });
        return z.NEVER;
      }
      const parsed = reference.safeParse(value);
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', message: 'must be { env: NAME } or { file: /path }' });
        return z.NEVER;
      }
      const resolved = secrets(parsed.data);
      if (typeof resolved === 'string') {
        ctx.addIssue({ code: 'custom', message: resolved });
        return z.NEVER;
      }
      return resolved;
    });
}
