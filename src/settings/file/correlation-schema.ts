import { z } from 'zod';
import type { CorrelationConfig } from '../../common/correlation-tag';
import { Secret } from '../../common/secret';
import { secretRefSchema, type SecretSource } from './secret-ref';

/** Every ticket shows a key and what it signs: a short secret could be found offline by trying them all. */
const MIN_SECRET_BYTES = 32;
/** An instant, never a local time: every process must read the same one. */
const INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/;

/**
 * `correlation:`, the key that signs each row's ticket key (README "Correlation keys"). `secrets` is its own
 * source: the webhook reads this one secret and none of the ticketing credentials.
 */
export function correlationSchema(secrets: SecretSource) {
  return z
    .object({
      secret: secretRefSchema(secrets)
        .superRefine((secret, ctx) => {
          if (!(secret instanceof Secret)) return; // the reference itself was refused, and said why
          const bytes = Buffer.byteLength(secret.reveal());
          if (bytes < MIN_SECRET_BYTES) {
            const hint = 'e.g. `openssl rand -base64 32`';
            ctx.addIssue({
              code: 'custom',
              message: `must be at least ${MIN_SECRET_BYTES} bytes (got ${bytes}): ${hint}`,
            });
          }
        })
        .describe(
          'signs every row ticket key so no ServiceNow user can forge one; the same in the webhook, worker and ' +
            'catch-up/backfill, and never changed (a new secret gives every row a new key). At least 32 bytes',
        ),
      legacy_before: z
        .string()
        .regex(INSTANT, 'must be an ISO timestamp with its zone, e.g. 2026-12-01T00:00:00Z')
        .refine((text) => !Number.isNaN(Date.parse(text)), 'is not a valid date')
        .optional()
        .describe(
          'upgrading from untagged keys: a ticket created before this instant keeps its old key `<trigger>:<table>:<key>`',
        ),
    })
    .strict()
    .optional()
    .describe('required with any lifecycle trigger: row ticket keys are `<trigger>:<tag>:<schema.table>:<key>`');
}

export type CorrelationInput = z.output<ReturnType<typeof correlationSchema>>;

export function toCorrelationConfig(input: CorrelationInput): CorrelationConfig | undefined {
  if (!input) return undefined;
  const legacyBeforeMs = input.legacy_before === undefined ? undefined : Date.parse(input.legacy_before);
  return { secret: input.secret, ...(legacyBeforeMs !== undefined && { legacyBeforeMs }) };
}
