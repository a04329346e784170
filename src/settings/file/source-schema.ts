import { z } from 'zod';
import type { SourceConfig } from '../../config/source';
import { rootUrl } from './common';
import { secretRefSchema, type SecretSource } from './secret-ref';

/** The `source:` section: the watched database and its Hasura, for write-back, catch-up and backfill. */
export function sourceSchema(secrets: SecretSource) {
  const secret = secretRefSchema(secrets);
  return z
    .object({
      postgres: z
        .object({ url: secret.describe('PostgreSQL connection URL, e.g. postgres://user:pw@db:5432/app') })
        .strict()
        .optional()
        .describe('the database the triggers watch (catch-up, backfill, `writeback.via: postgres`)'),
      hasura: z
        .object({
          url: rootUrl.describe('the engine root, e.g. http://hasura:8080'),
          admin_secret: secret,
          role: z
            .string()
            .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'must be a Hasura role name')
            // Admin-secret requests without a role run as admin: the bridge-role guard would drop their events.
            .refine(
              (role) => role !== 'admin',
              "must not be admin (every admin change would look like the bridge's own)",
            )
            .describe("the backend-only role the bridge writes as; events carrying it are the bridge's own"),
        })
        .strict()
        .optional()
        .describe('the Hasura engine in front of it (`writeback.via: hasura`, backfill by GraphQL)'),
    })
    .strict()
    .default({})
    .transform((input): SourceConfig => ({
      postgres: input.postgres,
      hasura: input.hasura && {
        url: input.hasura.url,
        adminSecret: input.hasura.admin_secret,
        role: input.hasura.role,
      },
    }));
}
