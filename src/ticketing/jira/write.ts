import { TicketConflictError } from '../errors';
import type { CallContext, TicketFields, TicketRef } from '../ticket-target';
import { toJiraWrite } from './fields';
import { addComment, issuePath, readIssue, type JiraSite } from './issues';

interface JiraTransition {
  id: string;
  name: string;
  to?: { name?: string };
}

/** Writes fields (PUT) and the comment; skips calls with nothing to send. */
export async function writeIssue(
  site: JiraSite,
  operation: string,
  ref: TicketRef,
  fields: TicketFields,
  ctx: CallContext,
): Promise<void> {
  const change = toJiraWrite(fields);
  if (Object.keys(change.fields).length > 0 || change.labels.length > 0) {
    const update = change.labels.length > 0 ? { labels: change.labels.map((label) => ({ add: label })) } : undefined;
    const body = { fields: change.fields, ...(update && { update }) };
    await site.api.call({ operation, method: 'PUT', path: issuePath(ref), body, signal: ctx.signal });
  }
  if (change.comment) await addComment(site, `${operation}Comment`, ref, change.comment, ctx);
}

/** Jira moves issues by transition; the configured name may be the transition's or its target status'. */
export async function transitionIssue(
  site: JiraSite,
  operation: string,
  ref: TicketRef,
  name: string,
  ctx: CallContext,
): Promise<void> {
  const path = `${issuePath(ref)}/transitions`;
  const match = await findTransition(site, operation, path, name, ctx);
  if (match) {
    const body = { transition: { id: match.id } };
    await site.api.call({ operation, method: 'POST', path, body, signal: ctx.signal });
    return;
  }
  const current = await readIssue(site, ref, ctx);
  if (current.state?.toLowerCase() === name.toLowerCase()) return;
  throw new TicketConflictError(
    `Jira offers no transition "${name}" for ${current.number} in status "${current.state}"`,
  );
}

async function findTransition(
  site: JiraSite,
  operation: string,
  path: string,
  name: string,
  ctx: CallContext,
): Promise<JiraTransition | undefined> {
  const call = { operation: `${operation}Transitions`, method: 'GET' as const, path, signal: ctx.signal };
  const answer = (await site.api.call(call)) as { transitions?: JiraTransition[] };
  const wanted = name.toLowerCase();
  return (answer?.transitions ?? []).find(
    (candidate) => candidate.name.toLowerCase() === wanted || candidate.to?.name?.toLowerCase() === wanted,
  );
}
