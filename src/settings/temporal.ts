import { z } from 'zod';
import { envBoolean, parseEnv, type Env } from './env';
import { secretFromEnv } from './env';
import type { TemporalConfig, TemporalConnectionConfig } from '../config/temporal';

const schema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('incident-bridge'),
  TICKET_CREATE_QUEUE: z.enum(['workflow', 'ticketing']).default('workflow'),
  TEMPORAL_TLS: envBoolean.optional(),
  TEMPORAL_TLS_CERT_PATH: z.string().optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().optional(),
  TEMPORAL_TLS_CA_PATH: z.string().optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().optional(),
});

const connection = schema.refine((env) => !env.TEMPORAL_TLS_CERT_PATH === !env.TEMPORAL_TLS_KEY_PATH, {
  message: 'set both or neither for mTLS',
  path: ['TEMPORAL_TLS_CERT_PATH/TEMPORAL_TLS_KEY_PATH'],
});

const uiSchema = z.object({ TEMPORAL_UI_URL: z.string().url().default('http://localhost:8233') });

/** Both processes connect; TEMPORAL_API_KEY may also come from TEMPORAL_API_KEY_FILE. */
export const TEMPORAL_CONNECTION_VARIABLES: readonly string[] = [...Object.keys(schema.shape), 'TEMPORAL_API_KEY'];
/** The worker also links to the Web UI. */
export const TEMPORAL_VARIABLES: readonly string[] = [...TEMPORAL_CONNECTION_VARIABLES, ...Object.keys(uiSchema.shape)];

export function temporalConnectionFromEnv(env: Env): TemporalConnectionConfig {
  const parsed = parseEnv(connection, env);
  const tls = {
    certPath: parsed.TEMPORAL_TLS_CERT_PATH,
    keyPath: parsed.TEMPORAL_TLS_KEY_PATH,
    caPath: parsed.TEMPORAL_TLS_CA_PATH,
    serverName: parsed.TEMPORAL_TLS_SERVER_NAME,
  };
  const wantsTls = parsed.TEMPORAL_TLS ?? Boolean(tls.certPath || tls.caPath || tls.serverName);
  return {
    address: parsed.TEMPORAL_ADDRESS,
    namespace: parsed.TEMPORAL_NAMESPACE,
    taskQueue: parsed.TEMPORAL_TASK_QUEUE,
    createQueue: parsed.TICKET_CREATE_QUEUE,
    apiKey: secretFromEnv(env, 'TEMPORAL_API_KEY'),
    tls: wantsTls ? tls : undefined,
  };
}

/** The connection plus the Web UI's base URL, which the worker's notifications link to. */
export function temporalConfigFromEnv(env: Env): TemporalConfig {
  const { TEMPORAL_UI_URL } = parseEnv(uiSchema, env);
  return { ...temporalConnectionFromEnv(env), uiUrl: TEMPORAL_UI_URL.replace(/\/$/, '') };
}
