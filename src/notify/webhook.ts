import type { ChannelSender, WebhookConfig } from './types';
import { postJson } from './post-json';

export const WEBHOOK_EVENT_TYPE = 'incident-bridge.event.failed';
export const WEBHOOK_EVENT_VERSION = 1;
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

export function createWebhookSender(config: WebhookConfig, options: { timeoutMs: number }): ChannelSender {
  return {
    async send(report, idempotencyKey) {
      const headers = Object.fromEntries(
        Object.entries(config.headers ?? {}).map(([name, value]) => [name, value.reveal()]),
      );
      // The de-facto header (IETF draft "Idempotency-Key") and a body field: a receiver drops a resend by either.
      headers[IDEMPOTENCY_HEADER] = idempotencyKey;
      const body = { type: WEBHOOK_EVENT_TYPE, version: WEBHOOK_EVENT_VERSION, ...report, idempotencyKey };
      await postJson({ channel: 'webhook', url: config.url, headers, body, timeoutMs: options.timeoutMs });
    },
    async close() {},
  };
}
