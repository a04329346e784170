import { TicketUnavailableError } from '../errors';
import { CORRELATION_MATCH_LIMIT, oldestFirst } from '../correlation-matches';
import type { CallContext, TicketRef } from '../ticket-target';
import { textToAdf } from './adf';
import type { JiraApi } from './api';
import { correlationLabel } from './fields';
import type { JiraOptions } from './options';

/** The API and the configuration every Jira operation works with. */
export interface JiraSite {
  api: JiraApi;
  options: JiraOptions;
}

export const REF_FIELDS = 'status,created,summary';

export interface JiraIssue {
  id: string;
  key: string;
  fields?: { status?: { name?: string; statusCategory?: { key?: string } }; created?: string; labels?: string[] };
}

/** An issue found by its correlation label, with its labels when they were asked for. */
export interface FoundIssue {
  ref: TicketRef;
  labels: string[];
}

export const issuePath = (ref: Pick<TicketRef, 'id'>): string => `/issue/${encodeURIComponent(ref.id)}`;

export function toRef(issue: JiraIssue, baseUrl: string): TicketRef {
  if (typeof issue?.id !== 'string' || typeof issue.key !== 'string') {
    throw new TicketUnavailableError('Jira answer carries no issue id and key');
  }
  const status = issue.fields?.status;
  return {
    id: issue.id,
    number: issue.key,
    state: status?.name,
    createdAt: issue.fields?.created,
    closed: status ? status.statusCategory?.key === 'done' : false,
    url: `${baseUrl}/browse/${issue.key}`,
  };
}

export async function readIssue(site: JiraSite, ref: TicketRef, ctx: CallContext): Promise<TicketRef> {
  const query = { fields: REF_FIELDS };
  const call = { operation: 'read', method: 'GET' as const, path: issuePath(ref), query, signal: ctx.signal };
  return toRef((await site.api.call(call)) as JiraIssue, site.options.baseUrl);
}

/** The issues carrying the correlation label, oldest first. */
export async function findIssues(
  site: JiraSite,
  correlationId: string,
  ctx: CallContext,
  request: { operation: string; fields: string },
): Promise<FoundIssue[]> {
  const jql = `labels = "${correlationLabel(correlationId)}" ORDER BY created ASC`;
  const query = { jql, fields: request.fields, maxResults: CORRELATION_MATCH_LIMIT };
  const call = { operation: request.operation, method: 'GET' as const, path: '/search/jql', query, signal: ctx.signal };
  const answer = (await site.api.call(call)) as { issues?: JiraIssue[] };
  if (!Array.isArray(answer?.issues)) throw new TicketUnavailableError('Jira search answer carries no issues list');
  return answer.issues
    .map((issue) => ({ ref: toRef(issue, site.options.baseUrl), labels: issue.fields?.labels ?? [] }))
    .sort((a, b) => createdThenId(a.ref, b.ref));
}

export async function addComment(
  site: JiraSite,
  operation: string,
  ref: TicketRef,
  text: string,
  ctx: CallContext,
): Promise<void> {
  const body = { body: textToAdf(text) };
  await site.api.call({ operation, method: 'POST', path: `${issuePath(ref)}/comment`, body, signal: ctx.signal });
}

/** `created` carries milliseconds; the numeric id breaks ties. */
const createdThenId = oldestFirst((a, b) => Number(a.id) - Number(b.id));
