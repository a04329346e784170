import type { ChannelSender, ChatConfig } from './types';
import { postJson } from './post-json';
import { slackMessage } from './chat-slack';
import { teamsMessage } from './chat-teams';

export function createChatSender(config: ChatConfig, options: { timeoutMs: number }): ChannelSender {
  const render = config.format === 'teams' ? teamsMessage : slackMessage;
  return {
    // Slack and Teams incoming webhooks take no idempotency key: only the activity's record of the send guards them.
    async send(report) {
      await postJson({ channel: 'chat', url: config.url.reveal(), body: render(report), timeoutMs: options.timeoutMs });
    },
    async close() {},
  };
}
