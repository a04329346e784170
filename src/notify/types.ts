import type { Secret } from '../common/secret';
import type { FailureFacts, NotifyChannel } from '../contract';

export type { NotifyChannel };

/** What the workflow knows when an event finally cannot become a ticket, with the link to it. */
export interface FailureReport extends FailureFacts {
  webUiUrl: string;
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

/**
 * One configured channel; `send` throws an Error whose message is safe to show in Temporal history.
 * `idempotencyKey` is the same for every resend of one notification (src/notify/idempotency.ts): a
 * channel that can, hands it to the receiver so it can drop a duplicate.
 */
export interface ChannelSender {
  send(report: FailureReport, idempotencyKey: string): Promise<void>;
  close(): Promise<void>;
}
