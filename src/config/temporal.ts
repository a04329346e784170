import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ConnectionOptions } from '@temporalio/client';
import { envBoolean, parseEnv } from './parse-env';
import { secretFromEnv, type Secret } from './secret';

export interface TemporalConfig {
  address: string;
  namespace: string;
  taskQueue: string;
  /** Base URL of the Web UI, for links in notifications and logs. */
  uiUrl: string;
  apiKey?: Secret;
  tls?: { certPath?: string; keyPath?: string; caPath?: string; serverName?: string };
}

const schema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('incident-bridge'),
  TEMPORAL_UI_URL: z.string().url().default('http://localhost:8233'),
  TEMPORAL_TLS: envBoolean.optional(),
  TEMPORAL_TLS_CERT_PATH: z.string().optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().optional(),
  TEMPORAL_TLS_CA_PATH: z.string().optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().optional(),
}).refine((env) => !env.TEMPORAL_TLS_CERT_PATH === !env.TEMPORAL_TLS_KEY_PATH, {
  message: 'set both or neither for mTLS', path: ['TEMPORAL_TLS_CERT_PATH/TEMPORAL_TLS_KEY_PATH'],
});

export function temporalConfigFromEnv(env: NodeJS.ProcessEnv): TemporalConfig {
  const parsed = parseEnv(schema, env);
  const wantsTls = parsed.TEMPORAL_TLS ?? Boolean(parsed.TEMPORAL_TLS_CERT_PATH || parsed.TEMPORAL_TLS_CA_PATH || parsed.TEMPORAL_TLS_SERVER_NAME);
  return {
    address: parsed.TEMPORAL_ADDRESS,
    namespace: parsed.TEMPORAL_NAMESPACE,
    taskQueue: parsed.TEMPORAL_TASK_QUEUE,
    uiUrl: parsed.TEMPORAL_UI_URL.replace(/\/$/, ''),
    apiKey: secretFromEnv(env, 'TEMPORAL_API_KEY'),
    tls: wantsTls
      ? { certPath: parsed.TEMPORAL_TLS_CERT_PATH, keyPath: parsed.TEMPORAL_TLS_KEY_PATH, caPath: parsed.TEMPORAL_TLS_CA_PATH, serverName: parsed.TEMPORAL_TLS_SERVER_NAME }
      : undefined,
  };
}

type SharedConnectionOptions = Pick<ConnectionOptions, 'address' | 'tls'> & { apiKey?: string };

/** Options both `Connection` (client) and `NativeConnection` (worker) accept: address, TLS/mTLS, API key. */
export function connectionOptions(config: TemporalConfig): SharedConnectionOptions {
  const { tls } = config;
  const tlsOptions = tls && {
    serverNameOverride: tls.serverName,
    serverRootCACertificate: tls.caPath ? readFileSync(tls.caPath) : undefined,
    clientCertPair: tls.certPath && tls.keyPath ? { crt: readFileSync(tls.certPath), key: readFileSync(tls.keyPath) } : undefined,
  };
  // An API key implies TLS (Temporal Cloud); the SDK turns it on when tls is left undefined.
  return { address: config.address, tls: tlsOptions, apiKey: config.apiKey?.reveal() };
}

/** A link to one workflow in the Web UI. */
export function workflowUiUrl(config: Pick<TemporalConfig, 'uiUrl' | 'namespace'>, workflowId: string): string {
  return `${config.uiUrl}/namespaces/${encodeURIComponent(config.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
