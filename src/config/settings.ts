import type { EncryptionKeyring } from '../codec/encryption-codec';
import type { CodecServerConfig } from '../codec/server';
import type { WorkerMetricsConfig } from '../metrics/worker-observability';
import type { NotifyConfig } from '../notify/types';
import type { EventPolicy } from '../contract';
import type { BridgeConfig, BridgeRouting } from './bridge-config';
import type { Secret } from '../common/secret';
import type { SourceJobsConfig } from './source';
import type { TemporalConfig, TemporalConnectionConfig } from './temporal';

/*
 * What each process reads from its environment, once, at start-up (loaders: ./webhook.ts, ./worker.ts).
 * The objects are frozen: nothing below an entry point reads the environment or changes a setting.
 */

/** pino's level and output; the webhook adds its secret header to the redacted ones. */
export interface LogSettings {
  level: string;
  format: 'json' | 'pretty';
  redactHeaders?: string[];
}

/** The webhook's HTTP side: where it listens and how Hasura proves itself. */
export interface WebhookHttpConfig {
  host: string;
  port: number;
  /** Accepted shared secrets: the current one and, during a rotation, the previous one. */
  secrets: Secret[];
  secretHeader: string;
  bodyLimit: string;
  /** Seconds Hasura should wait before redelivering when we answer 503. */
  retryAfterSeconds: number;
}

/** `POST /servicenow/events`: how ServiceNow's business rule proves itself. */
export interface ServiceNowEventsConfig {
  auth: 'header' | 'hmac';
  /** Current and, during a rotation, previous secret. */
  secrets: Secret[];
  /** The header carrying the secret (`header`) or the base64 signature (`hmac`), lower case. */
  header: string;
}

/** The worker's reconciliation Schedule for changes the business rule did not deliver. */
export interface ServiceNowReconcileConfig {
  intervalMs: number;
}

export interface WebhookSettings {
  readonly log: LogSettings;
  readonly http: WebhookHttpConfig;
  readonly temporal: TemporalConnectionConfig;
  /** From BRIDGE_CONFIG; undefined without a file, when every event is a ticket of its own. */
  readonly routing?: BridgeRouting;
  /** Payload encryption: the client encrypts what it starts with the worker's keys. */
  readonly keyring?: EncryptionKeyring;
  /** The Web UI's codec endpoints, when CODEC_AUTH_TOKEN is set. */
  readonly codecServer?: CodecServerConfig;
  /** ServiceNow changes flowing back; absent = the route is not mounted. */
  readonly servicenowEvents?: ServiceNowEventsConfig;
}

/** TICKETING_TASK_QUEUE moves ticket calls to their own queue; the rate caps them across all workers. */
export interface TicketingWorkerConfig {
  taskQueue: string;
  maxActivitiesPerSecond?: number;
}

export interface WorkerTuning {
  maxCachedWorkflows: number;
  maxConcurrentActivityTaskExecutions?: number;
  maxConcurrentWorkflowTaskExecutions?: number;
}

export interface WorkerSettings {
  readonly log: LogSettings;
  readonly temporal: TemporalConfig;
  /** Targets, mappings and lifecycles: BRIDGE_CONFIG, or ServiceNow from SERVICENOW_*. */
  readonly bridge: BridgeConfig;
  /** Retry schedule, deadlines and ticketing queue of every event: the worker's, not the webhook's. */
  readonly policy: EventPolicy;
  readonly ticketing?: TicketingWorkerConfig;
  readonly tuning: WorkerTuning;
  readonly notify: NotifyConfig;
  readonly metrics: WorkerMetricsConfig;
  readonly keyring?: EncryptionKeyring;
  readonly servicenowReconcile?: ServiceNowReconcileConfig;
  /** The catch-up Schedule and the backfill lane. */
  readonly sourceJobs: SourceJobsConfig;
}
