import { TicketValidationError } from '../errors';
import type { CallContext, TicketFields, TicketRef } from '../ticket-target';
import { correlationLabel, toJiraWrite } from './fields';
import { addComment, toRef, type JiraIssue, type JiraSite } from './issues';

export type CreateIssue = (
  input: { correlationId: string; fields: TicketFields },
  ctx: CallContext,
) => Promise<TicketRef>;

export function issueCreator(site: JiraSite): CreateIssue {
  return async ({ correlationId, fields }, ctx) => {
    if (!correlationId) throw new TicketValidationError('correlation id must not be empty');
    const { options } = site;
    const change = toJiraWrite(fields);
    const labels = [...new Set([...(options.labels ?? []), ...change.labels, correlationLabel(correlationId)])];
    const issueFields = {
      ...change.fields,
      project: { key: options.project },
      issuetype: { name: options.issueType },
      labels,
    };
    const body = { fields: issueFields };
    const answer = await site.api.call({
      operation: 'create',
      method: 'POST',
      path: '/issue',
      body,
      signal: ctx.signal,
    });
    const ref = toRef(answer as JiraIssue, options.baseUrl);
    if (change.comment) await addComment(site, 'createComment', ref, change.comment, ctx);
    return { ...ref, closed: false };
  };
}
