import type { Logger } from '../logging';
import type { ChannelSender, FailureReport, NotifyChannel, NotifyConfig } from './types';
import { boundReport } from './bounds';
import { createEmailSender } from './email';
import { createChatSender } from './chat';
import { createWebhookSender } from './webhook';

export type { FailureReport, NotifyChannel, NotifyConfig } from './types';

export interface Notifier {
  /** The configured channels, in a stable order: one activity call per entry. */
  channels(): NotifyChannel[];
  /**
   * 'skipped' when the channel is not configured; throws a history-safe Error when delivery fails.
   * Every resend of one notification passes the same `idempotencyKey`.
   */
  send(channel: NotifyChannel, report: FailureReport, idempotencyKey: string): Promise<'sent' | 'skipped'>;
  close(): Promise<void>;
}

export interface NotifierDeps {
  logger: Logger;
  /** Per chat/webhook request, connection to last byte of the answer. */
  fetchTimeoutMs?: number;
}

const DEFAULT_FETCH_TIMEOUT_MS = 10_000;
const CHANNEL_ORDER: readonly NotifyChannel[] = ['email', 'chat', 'webhook'];

export function createNotifier(config: NotifyConfig, deps: NotifierDeps): Notifier {
  const timeout = { timeoutMs: deps.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS };
  const senders = new Map<NotifyChannel, ChannelSender>();
  if (config.email) senders.set('email', createEmailSender(config.email));
  if (config.chat) senders.set('chat', createChatSender(config.chat, timeout));
  if (config.webhook) senders.set('webhook', createWebhookSender(config.webhook, timeout));

  return {
    channels: () => CHANNEL_ORDER.filter((channel) => senders.has(channel)),
    async send(channel, report, idempotencyKey) {
      const sender = senders.get(channel);
      const context = { channel, workflowId: report.workflowId, eventId: report.eventId };
      if (!sender) {
        deps.logger.debug(context, 'notification channel not configured; skipped');
        return 'skipped';
      }
      try {
        await sender.send(boundReport(report), idempotencyKey);
      } catch (error) {
        // Our senders' messages are already free of URLs and credentials, so logging them is safe.
        deps.logger.warn({ ...context, error: (error as Error).message }, 'failure notification not delivered');
        throw error;
      }
      deps.logger.info(context, 'failure notification sent');
      return 'sent';
    },
    async close() {
      await Promise.all([...senders.values()].map((sender) => sender.close()));
    },
  };
}
