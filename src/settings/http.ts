import { z } from 'zod';
import { ConfigError } from '../common/config-error';
import { envInt, parseEnv, type Env } from './env';
import { secretFromEnv } from './env';
import { type Secret } from '../common/secret';
import type { WebhookHttpConfig } from '../config/settings';

const schema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: envInt(0, 65535).default(3000),
  WEBHOOK_SECRET_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, 'not an HTTP header name')
    .default('x-webhook-secret'),
  WEBHOOK_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'e.g. 512kb or 1mb')
    .default('1mb'),
  WEBHOOK_RETRY_AFTER_SECONDS: envInt(1, 3600).default(10),
});

const SECRETS = ['WEBHOOK_SECRET', 'WEBHOOK_SECRET_PREVIOUS'] as const;

export const WEBHOOK_HTTP_VARIABLES: readonly string[] = [...Object.keys(schema.shape), ...SECRETS];

/** Where the webhook listens and how Hasura proves itself; WEBHOOK_SECRET (or _FILE) is required. */
export function webhookHttpFromEnv(env: Env): WebhookHttpConfig {
  const parsed = parseEnv(schema, env);
  const secrets = SECRETS.map((name) => secretFromEnv(env, name)).filter((s): s is Secret => !!s);
  if (!secrets.length) {
    const why = 'the shared secret Hasura sends in the header';
    throw new ConfigError([`WEBHOOK_SECRET: required (or WEBHOOK_SECRET_FILE): ${why}`]);
  }
  return {
    host: parsed.HOST,
    port: parsed.PORT,
    secrets,
    secretHeader: parsed.WEBHOOK_SECRET_HEADER.toLowerCase(),
    bodyLimit: parsed.WEBHOOK_BODY_LIMIT,
    retryAfterSeconds: parsed.WEBHOOK_RETRY_AFTER_SECONDS,
  };
}
