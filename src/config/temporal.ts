import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from '@temporalio/client';
import type { Secret } from '../common/secret';
import type { CreateQueue } from '../contract';

/** Where the webhook and the worker reach Temporal (src/settings/temporal.ts reads it). */
export interface TemporalConnectionConfig {
  address: string;
  namespace: string;
  taskQueue: string;
  /** Where the single events this process starts run their create (TICKET_CREATE_QUEUE). */
  createQueue: CreateQueue;
  apiKey?: Secret;
  tls?: { certPath?: string; keyPath?: string; caPath?: string; serverName?: string };
}

/** The worker's: its notifications link to the Web UI. */
export interface TemporalConfig extends TemporalConnectionConfig {
  /** Base URL of the Web UI, for links in notifications and logs. */
  uiUrl: string;
}

type SharedConnectionOptions = Pick<ConnectionOptions, 'address' | 'tls'> & { apiKey?: string };

/** Options both `Connection` (client) and `NativeConnection` (worker) accept: address, TLS/mTLS, API key. */
export function connectionOptions(config: TemporalConnectionConfig): SharedConnectionOptions {
  const { tls } = config;
  const tlsOptions = tls && {
    serverNameOverride: tls.serverName,
    serverRootCACertificate: tls.caPath ? readFileSync(tls.caPath) : undefined,
    clientCertPair:
      tls.certPath && tls.keyPath ? { crt: readFileSync(tls.certPath), key: readFileSync(tls.keyPath) } : undefined,
  };
  // An API key implies TLS (Temporal Cloud); the SDK turns it on when tls is left undefined.
  return { address: config.address, tls: tlsOptions, apiKey: config.apiKey?.reveal() };
}

/** A link to one workflow in the Web UI. */
export function workflowUiUrl(config: Pick<TemporalConfig, 'uiUrl' | 'namespace'>, workflowId: string): string {
  const namespace = encodeURIComponent(config.namespace);
  return `${config.uiUrl}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}`;
}
