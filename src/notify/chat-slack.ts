import type { FailureReport } from './types';
import { errorSummary, headline, operatorActions, reportFacts, WEB_UI_LINK_TEXT } from './summary';
import { truncate } from './bounds';

// Slack block limits: header text 150, section text 3000, section field 2000, 10 fields per section.
const MAX_HEADER_CHARS = 150;
const MAX_FIELDS_PER_SECTION = 10;

/** Slack's three control characters; everything else in mrkdwn is literal once inside a code span. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// A backtick would end the code span and let the rest be read as formatting or a link.
const codeSpan = (text: string) => `\`${escapeMrkdwn(text.replace(/`/g, "'"))}\``;
const codeBlock = (text: string) => `\`\`\`${escapeMrkdwn(text.replace(/`/g, "'"))}\`\`\``;

/** An incoming-webhook payload: `text` is the notification fallback, `blocks` the message. */
export function slackMessage(report: FailureReport): { text: string; blocks: object[] } {
  const headerText = `Hasura event ${report.outcome}: ${report.trigger}`;
  const fields = reportFacts(report).map((fact) => ({
    type: 'mrkdwn',
    text: `*${fact.label}*\n${codeSpan(fact.value)}`,
  }));
  const fieldSections = [];
  for (let start = 0; start < fields.length; start += MAX_FIELDS_PER_SECTION) {
    fieldSections.push({ type: 'section', fields: fields.slice(start, start + MAX_FIELDS_PER_SECTION) });
  }
  const actions = operatorActions(report)
    .map((action) => `${action.description}:\n${codeBlock(action.command)}`)
    .join('\n');
  return {
    text: escapeMrkdwn(headline(report)),
    blocks: [
      // Only the outcome and the trigger name (a Hasura identifier) in the header: it cannot be escaped.
      { type: 'header', text: { type: 'plain_text', text: truncate(headerText, MAX_HEADER_CHARS) } },
      ...fieldSections,
      { type: 'section', text: { type: 'mrkdwn', text: `*Last error*\n${codeBlock(errorSummary(report))}` } },
      { type: 'section', text: { type: 'mrkdwn', text: `*What you can do*\n${actions}` } },
      {
        type: 'actions',
        elements: [{ type: 'button', text: { type: 'plain_text', text: WEB_UI_LINK_TEXT }, url: report.webUiUrl }],
      },
    ],
  };
}
