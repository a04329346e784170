import { createHash } from 'node:crypto';
import type { TicketFields } from '../ticket-target';
import { truncateCodePoints } from '../truncate';
import { textToAdf } from './adf';

/** Jira caps summaries at 255 characters. */
export const SUMMARY_MAX_LENGTH = 255;
/** Rendered fields that become a comment instead of an issue field (ServiceNow's names included). */
const COMMENT_FIELDS = ['work_notes', 'comment', 'close_notes'];

/** Labels cannot hold ':' or spaces, so the correlation key is carried as a hash: `ib-<24 hex>`. */
export function correlationLabel(correlationId: string): string {
  return `ib-${createHash('sha256').update(correlationId).digest('hex').slice(0, 24)}`;
}

export interface JiraWrite {
  fields: Record<string, unknown>;
  /** Label additions; `fields.labels` would replace the correlation label. */
  labels: string[];
  comment?: string;
}

/**
 * Rendered ticket fields → Jira: summary (or short_description), description (as ADF), priority (by name),
 * labels (space or comma separated), work_notes/comment/close_notes (one comment); anything else is sent
 * as is, e.g. `customfield_10010`.
 */
export function toJiraWrite(fields: TicketFields): JiraWrite {
  const jira: Record<string, unknown> = {};
  const comments: string[] = [];
  let labels: string[] = [];
  for (const [name, value] of Object.entries(fields)) {
    if (COMMENT_FIELDS.includes(name)) {
      if (value) comments.push(value);
    } else if (name === 'summary' || name === 'short_description') {
      jira.summary = truncateCodePoints(value.replace(/[\r\n]+/g, ' '), SUMMARY_MAX_LENGTH);
    } else if (name === 'description') {
      jira.description = textToAdf(value);
    } else if (name === 'priority') {
      if (value) jira.priority = { name: value };
    } else if (name === 'labels') {
      labels = value.split(/[\s,]+/).filter(Boolean);
    } else {
      jira[name] = value;
    }
  }
  return { fields: jira, labels, comment: comments.length > 0 ? comments.join('\n\n') : undefined };
}
