import { z } from 'zod';
import { ConfigError } from '../common/config-error';
import { envDuration } from './duration';
import { Secret } from '../common/secret';
import { parseEnv, secretFromEnv, type Env } from './env';
import type { ServiceNowEventsConfig, ServiceNowReconcileConfig } from '../config/settings';

const eventsSchema = z.object({
  SERVICENOW_EVENTS_AUTH: z.enum(['header', 'hmac']).default('header'),
  SERVICENOW_EVENTS_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, 'not an HTTP header name')
    .optional(),
});

const EVENT_SECRETS = ['SERVICENOW_EVENTS_SECRET', 'SERVICENOW_EVENTS_SECRET_PREVIOUS'] as const;

export const SERVICENOW_EVENTS_VARIABLES: readonly string[] = [...Object.keys(eventsSchema.shape), ...EVENT_SECRETS];

export const DEFAULT_EVENTS_HEADERS = { header: 'x-servicenow-secret', hmac: 'x-servicenow-signature' } as const;

/** How the business rule signs its calls, without the secret: what `npm run servicenow-script` prints. */
export function serviceNowEventsAuthFromEnv(env: Env): Pick<ServiceNowEventsConfig, 'auth' | 'header'> {
  const parsed = parseEnv(eventsSchema, env);
  const auth = parsed.SERVICENOW_EVENTS_AUTH;
  return { auth, header: (parsed.SERVICENOW_EVENTS_HEADER ?? DEFAULT_EVENTS_HEADERS[auth]).toLowerCase() };
}

/** An HMAC-SHA256 key shorter than the hash gains nothing from HMAC (RFC 2104); the same floor for the header. */
export const MIN_EVENTS_SECRET_BYTES = 32;

/**
 * One of the receiver's secrets, refused below MIN_EVENTS_SECRET_BYTES: an empty or short secret file
 * would otherwise key the HMAC with '' and let anyone sign. The problem names the variable, never the value.
 */
function eventsSecret(env: Env, name: string): Secret | undefined {
  const setting = env[`${name}_FILE`] ? `${name}_FILE` : name;
  let secret: Secret | undefined;
  try {
    secret = secretFromEnv(env, name);
  } catch (error) {
    throw new ConfigError([`${setting}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`]);
  }
  if (secret === undefined || Buffer.byteLength(secret.reveal()) >= MIN_EVENTS_SECRET_BYTES) return secret;
  const why = secret.reveal() === '' ? 'the file is empty' : 'a long random string; see README';
  throw new ConfigError([`${setting}: must hold at least ${MIN_EVENTS_SECRET_BYTES} bytes (${why})`]);
}

/**
 * `POST /servicenow/events` (ServiceNow's business rule): on only when SERVICENOW_EVENTS_SECRET is set,
 * to at least 32 bytes.
 * `header` compares the header with the secret; `hmac` checks the header as the base64 HMAC-SHA256 of
 * the raw body keyed with the secret (what GlideCertificateEncryption.generateMac gives).
 */
export function serviceNowEventsFromEnv(env: Env): ServiceNowEventsConfig | undefined {
  const signing = serviceNowEventsAuthFromEnv(env);
  const [current, previous] = EVENT_SECRETS.map((name) => eventsSecret(env, name));
  if (!current) {
    if (!previous) return undefined;
    throw new ConfigError(['SERVICENOW_EVENTS_SECRET: required when SERVICENOW_EVENTS_SECRET_PREVIOUS is set']);
  }
  const secrets = previous ? [current, previous] : [current];
  return { ...signing, secrets };
}

const reconcileSchema = z.object({ SERVICENOW_RECONCILE_INTERVAL: envDuration.optional() });

export const SERVICENOW_RECONCILE_VARIABLES: readonly string[] = Object.keys(reconcileSchema.shape);

/** The reconciler's schedule; off unless SERVICENOW_RECONCILE_INTERVAL is set (at least 10 s). */
export function serviceNowReconcileFromEnv(env: Env): ServiceNowReconcileConfig | undefined {
  const interval = parseEnv(reconcileSchema, env).SERVICENOW_RECONCILE_INTERVAL;
  if (interval === undefined) return undefined;
  if (interval < 10_000) throw new ConfigError(['SERVICENOW_RECONCILE_INTERVAL: at least 10s']);
  return { intervalMs: interval };
}
