import type { Response } from 'express';
import { STATUSES, statusOf, type SimIssue } from './store';

export function sendJiraError(
  res: Response,
  status: number,
  messages: string[],
  errors: Record<string, string> = {},
): void {
  res.status(status).json({ errorMessages: messages, errors });
}

/** Real Jira answers a failed basic login with plain text, not its JSON error shape. */
export function sendUnauthenticated(res: Response): void {
  res.status(401).setHeader('WWW-Authenticate', 'Basic realm="protected-area"');
  res.type('text/plain').send('Client must be authenticated to access this resource.');
}

export function issueJson(issue: SimIssue, baseUrl: string, fields?: string[]) {
  const status = statusOf(issue.status);
  const all: Record<string, unknown> = {
    ...issue.fields,
    labels: issue.labels,
    status: { name: status.name, statusCategory: { key: status.category } },
    created: issue.created,
    updated: issue.updated,
    project: { key: issue.project },
    issuetype: { name: issue.issueType },
  };
  const chosen = fields
    ? Object.fromEntries(fields.filter((name) => name in all).map((name) => [name, all[name]]))
    : all;
  return { id: issue.id, key: issue.key, self: `${baseUrl}/rest/api/3/issue/${issue.id}`, fields: chosen };
}

export function transitionsJson(issue: SimIssue) {
  const targets = STATUSES.filter((status) => status.name !== issue.status);
  return {
    transitions: targets.map((status) => ({
      ...status.transition,
      to: { name: status.name, statusCategory: { key: status.category } },
    })),
  };
}

/** A page of an issue's comments; the simulator always answers the whole list at once. */
export function commentsJson(issue: SimIssue) {
  const { comments } = issue;
  return { startAt: 0, maxResults: comments.length, total: comments.length, comments };
}
