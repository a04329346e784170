import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { Secret, secretFromEnv } from '../secret';

export const SECRET_REF_DESCRIPTION = 'secret reference: `{ env: NAME }` (also honours NAME_FILE) or `{ file: /path }`; never a plain string';

const reference = z.union([
  z.object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name') }).strict(),
  z.object({ file: z.string().min(1) }).strict(),
]);

export type SecretRef = z.infer<typeof reference>;

/**
 * A credential in the config file, resolved into a `Secret` while the file loads so a missing
 * variable or unreadable file is reported with the key that names it.
 */
export function secretRefSchema(env: NodeJS.ProcessEnv) {
  return z
    .unknown()
    .describe(SECRET_REF_DESCRIPTION)
    .transform((value, ctx): Secret => {
      if (typeof value === 'string') {
        ctx.addIssue({ code: 'custom', message: 'plain-text secrets are not allowed: use { env: NAME } or { file: /path }' });
        return z.NEVER;
      }
      const parsed = reference.safeParse(value);
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', message: 'must be { env: NAME } or { file: /path }' });
        return z.NEVER;
      }
      const resolved = resolveSecret(env, parsed.data);
      if (typeof resolved === 'string') {
        ctx.addIssue({ code: 'custom', message: resolved });
        return z.NEVER;
      }
      return resolved;
    });
}

/** The secret, or a sentence saying why it cannot be had. */
function resolveSecret(env: NodeJS.ProcessEnv, ref: SecretRef): Secret | string {
  try {
    if ('file' in ref) return new Secret(readFileSync(ref.file, 'utf8').trim());
    return secretFromEnv(env, ref.env) ?? `environment variable ${ref.env} (or ${ref.env}_FILE) is not set`;
  } catch (error) {
    return `cannot read secret file: ${(error as Error).message}`;
  }
}
