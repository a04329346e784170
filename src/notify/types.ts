import type { Secret } from '../config/secret';

export type NotifyChannel = 'email' | 'chat' | 'webhook';

/** What the workflow knows when an event finally cannot become a ticket. */
export interface FailureReport {
  workflowId: string;
  runId: string;
  trigger: string;
  /** `schema.name` */
  table: string;
  op: string;
  eventId: string;
  rowKey?: string;
  lastError: { message: string; type?: string };
  attempts: number;
  webUiUrl: string;
  /** ISO 8601 */
  occurredAt: string;
  outcome: 'parked' | 'failed';
  /** ISO 8601, when outcome is 'parked' */
  parkedUntil?: string;
}

export interface EmailConfig {
  host: string;
  port: number;
  /** Implicit TLS (usually port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  requireTls?: boolean;
  auth?: { user: string; pass: Secret };
  from: string;
  to: string[];
  subjectPrefix?: string;
}

export interface ChatConfig {
  /** Slack/Teams incoming-webhook URLs embed a token. */
  url: Secret;
  format: 'slack' | 'teams';
}

export interface WebhookConfig {
  url: string;
  headers?: Record<string, Secret>;
}

export interface NotifyConfig {
  email?: EmailConfig;
  chat?: ChatConfig;
  webhook?: WebhookConfig;
}

/** One configured channel; `send` throws an Error whose message is safe to show in Temporal history. */
export interface ChannelSender {
  send(report: FailureReport): Promise<void>;
  close(): Promise<void>;
}
