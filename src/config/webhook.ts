import { z } from 'zod';
import { ConfigError, envInt, parseEnv } from './parse-env';
import { secretFromEnv, type Secret } from './secret';

export interface WebhookConfig {
  host: string;
  port: number;
  /** Accepted shared secrets: the current one and, during a rotation, the previous one. */
  secrets: Secret[];
  secretHeader: string;
  bodyLimit: string;
  /** Seconds Hasura should wait before redelivering when we answer 503. */
  retryAfterSeconds: number;
}

const schema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: envInt(0, 65535).default(3000),
  WEBHOOK_SECRET_HEADER: z.string().regex(/^[A-Za-z0-9-]+$/, 'not an HTTP header name').default('x-webhook-secret'),
  WEBHOOK_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'e.g. 512kb or 1mb').default('1mb'),
  WEBHOOK_RETRY_AFTER_SECONDS: envInt(1, 3600).default(10),
});

export function webhookConfigFromEnv(env: NodeJS.ProcessEnv): WebhookConfig {
  const parsed = parseEnv(schema, env);
  const secrets = [secretFromEnv(env, 'WEBHOOK_SECRET'), secretFromEnv(env, 'WEBHOOK_SECRET_PREVIOUS')].filter((s): s is Secret => !!s);
  if (!secrets.length) throw new ConfigError(['WEBHOOK_SECRET: required (or WEBHOOK_SECRET_FILE): the shared secret Hasura sends in the header']);
  return {
    host: parsed.HOST,
    port: parsed.PORT,
    secrets,
    secretHeader: parsed.WEBHOOK_SECRET_HEADER.toLowerCase(),
    bodyLimit: parsed.WEBHOOK_BODY_LIMIT,
    retryAfterSeconds: parsed.WEBHOOK_RETRY_AFTER_SECONDS,
  };
}
