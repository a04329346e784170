import type { ChannelSender, WebhookConfig } from './types';
import { postJson } from './post-json';

export const WEBHOOK_EVENT_TYPE = 'incident-bridge.event.failed';
export const WEBHOOK_EVENT_VERSION = 1;

export function createWebhookSender(config: WebhookConfig, options: { timeoutMs: number }): ChannelSender {
  return {
    async send(report) {
      const headers = Object.fromEntries(
        Object.entries(config.headers ?? {}).map(([name, value]) => [name, value.reveal()]),
      );
      const body = { type: WEBHOOK_EVENT_TYPE, version: WEBHOOK_EVENT_VERSION, ...report };
      await postJson({ channel: 'webhook', url: config.url, headers, body, timeoutMs: options.timeoutMs });
    },
    async close() {},
  };
}
