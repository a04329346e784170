import { z } from 'zod';
import { correlationSchema } from './correlation-schema';
import type { SecretSource } from './secret-ref';
import { targetSchema } from './target-schemas';
import { sourceSchema } from './source-schema';
import { triggerSchema } from './trigger-schema';

const name = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'must start with a letter and hold only letters, digits, _ and -');
const lookupValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);

/**
 * The whole `BRIDGE_CONFIG` file. Every object is strict, so a misspelt key is an error rather than
 * a silently ignored setting. Built per secret source because secret references resolve while parsing;
 * `correlation.secret` has its own, as the webhook reads it and no other.
 */
export function bridgeFileSchema(secrets: SecretSource, correlationSecrets: SecretSource = secrets) {
  return z
    .object({
      targets: z
        .record(name, targetSchema(secrets).describe('one ticketing system; its keys depend on `type`, see below'))
        .optional()
        .describe(
          'named ticketing systems (`type`: servicenow | jira | rest); absent = ServiceNow from SERVICENOW_* variables',
        ),
      lookups: z
        .record(name, z.record(z.string(), lookupValue))
        .default({})
        .describe("named tables for the `lookup` filter: `{{ row.priority | lookup: 'severity_to_urgency' }}`"),
      source: sourceSchema(secrets).describe(
        'the database the triggers watch and its Hasura: for write-back, catch-up and backfill',
      ),
      defaults: triggerSchema.default({}).describe('applies to every trigger; a trigger key replaces the default one'),
      triggers: z
        .record(name, triggerSchema.describe('the same keys as `defaults`, for this trigger only'))
        .default({})
        .describe('per Hasura trigger name'),
      correlation: correlationSchema(correlationSecrets),
    })
    .strict();
}

export type BridgeFile = z.output<ReturnType<typeof bridgeFileSchema>>;
