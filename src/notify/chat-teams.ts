import type { FailureReport } from './types';
import { errorSummary, headline, operatorActions, reportFacts, WEB_UI_LINK_TEXT } from './summary';

/**
 * An Adaptive Card in the `message` envelope: the one format both the retiring Office 365 connector webhooks
 * and their replacement, Teams Workflows webhooks, accept (MessageCard works only with the former).
 * Untrusted text goes into RichTextBlock runs, which Teams shows literally: TextBlock and FactSet values
 * would interpret markdown, so a row key could turn into a link.
 */
export function teamsMessage(report: FailureReport): object {
  const card = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    msteams: { width: 'Full' },
    body: [
      richText([{ text: headline(report), weight: 'Bolder', size: 'Medium', color: 'Attention' }]),
      ...reportFacts(report).map((fact) =>
        richText([{ text: `${fact.label}: `, weight: 'Bolder' }, { text: fact.value }]),
      ),
      heading('Last error'),
      richText([{ text: errorSummary(report), fontType: 'Monospace' }]),
      heading('What you can do'),
      ...operatorActions(report).flatMap((action) => [
        richText([{ text: `${action.description}:` }]),
        richText([{ text: action.command, fontType: 'Monospace' }]),
      ]),
    ],
    actions: [{ type: 'Action.OpenUrl', title: WEB_UI_LINK_TEXT, url: report.webUiUrl }],
  };
  return {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }],
  };
}

type TextRunStyle = { weight?: string; size?: string; color?: string; fontType?: string };

function richText(runs: Array<{ text: string } & TextRunStyle>): object {
  return { type: 'RichTextBlock', inlines: runs.map((run) => ({ type: 'TextRun', ...run })) };
}

function heading(text: string): object {
  return { type: 'TextBlock', text, weight: 'Bolder', wrap: true, spacing: 'Medium' };
}
