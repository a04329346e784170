import { isPermanent, TicketError, TicketUnavailableError, TicketValidationError } from '../errors';
import type { CallContext, TicketFields, TicketRef } from '../ticket-target';
import { textToAdf } from './adf';
import { refusesField } from './api';
import { correlationLabel, toJiraWrite } from './fields';
import { findIssues, issuePath, REF_FIELDS, toRef, type JiraIssue, type JiraSite } from './issues';

/**
 * Marks an issue whose comment is still to come, on a site whose create screen lacks the comment field: the
 * next create for its correlation id adds the comment instead of creating a second issue, and so does an
 * attempt that reuses the issue through the activity's own lookup (finishIssue).
 */
const PENDING_COMMENT_LABEL = 'ib-pending-comment';

interface NewIssue {
  correlationId: string;
  fields: Record<string, unknown>;
  labels: string[];
  comment?: string;
}

export type CreateIssue = (
  input: { correlationId: string; fields: TicketFields },
  ctx: CallContext,
) => Promise<TicketRef>;

/**
 * A create is one unit a retry can finish. The comment travels in the create request (`update.comment`), so a
 * refused create wrote nothing and an accepted one wrote everything. A site that refuses a comment on create
 * (a 400 naming `comment`, learned once per process) gets createThenComment instead.
 */
export function issueCreator(site: JiraSite): CreateIssue {
  let commentOnCreate = true;
  return async ({ correlationId, fields }, ctx) => {
    if (!correlationId) throw new TicketValidationError('correlation id must not be empty');
    const issue = newIssue(site, correlationId, fields);
    const { comment } = issue;
    if (comment === undefined) return postIssue(site, issue, undefined, ctx);
    if (commentOnCreate) {
      try {
        return await postIssue(site, issue, { comment: [commentAdd(comment)] }, ctx);
      } catch (error) {
        if (!refusesField(error, 'comment')) throw error;
        commentOnCreate = false;
      }
    }
    return createThenComment(site, issue, comment, ctx);
  };
}

function newIssue(site: JiraSite, correlationId: string, fields: TicketFields): NewIssue {
  const { options } = site;
  const change = toJiraWrite(fields);
  const labels = [...new Set([...(options.labels ?? []), ...change.labels, correlationLabel(correlationId)])];
  const issueFields = { ...change.fields, project: { key: options.project }, issuetype: { name: options.issueType } };
  return { correlationId, fields: issueFields, labels, comment: change.comment };
}

async function postIssue(
  site: JiraSite,
  issue: Pick<NewIssue, 'fields' | 'labels'>,
  update: object | undefined,
  ctx: CallContext,
): Promise<TicketRef> {
  const body = { fields: { ...issue.fields, labels: issue.labels }, ...(update && { update }) };
  const answer = await site.api.call({ operation: 'create', method: 'POST', path: '/issue', body, signal: ctx.signal });
  return { ...toRef(answer as JiraIssue, site.options.baseUrl), closed: false };
}

const commentAdd = (text: string) => ({ add: { body: textToAdf(text) } });

/**
 * Two writes that a retry finishes: the issue is created marked PENDING_COMMENT_LABEL, then one edit adds the
 * comment and removes the mark. Each create first looks the correlation id up: a marked issue gets its comment,
 * an unmarked one is already complete, and only when there is none is an issue created.
 */
async function createThenComment(site: JiraSite, issue: NewIssue, comment: string, ctx: CallContext) {
  const lookup = { operation: 'createLookup', fields: `${REF_FIELDS},labels` };
  const [found] = await findIssues(site, issue.correlationId, ctx, lookup);
  if (found && !found.labels.includes(PENDING_COMMENT_LABEL)) return found.ref;
  const marked = { ...issue, labels: [...issue.labels, PENDING_COMMENT_LABEL] };
  const ref = found?.ref ?? (await postIssue(site, marked, undefined, ctx));
  return addPendingComment(site, ref, comment, ctx);
}

/**
 * Finishes an issue an earlier attempt created but whose comment failed, when a retry reuses it through the
 * activity's lookup (which finds issues, not marks): one read, and the comment when the mark is still there.
 */
export async function finishIssue(site: JiraSite, ref: TicketRef, fields: TicketFields, ctx: CallContext) {
  const { comment } = toJiraWrite(fields);
  if (comment === undefined) return ref;
  const read = { operation: 'finishLookup', method: 'GET' as const, path: issuePath(ref), query: { fields: 'labels' } };
  const issue = (await site.api.call({ ...read, signal: ctx.signal })) as JiraIssue;
  if (!issue?.fields?.labels?.includes(PENDING_COMMENT_LABEL)) return ref;
  return addPendingComment(site, ref, comment, ctx);
}

async function addPendingComment(site: JiraSite, ref: TicketRef, comment: string, ctx: CallContext) {
  const update = { labels: [{ remove: PENDING_COMMENT_LABEL }], comment: [commentAdd(comment)] };
  const edit = { operation: 'createComment', method: 'PUT' as const, path: issuePath(ref), body: { update } };
  try {
    await site.api.call({ ...edit, signal: ctx.signal });
  } catch (error) {
    throw afterStored(ref, error);
  }
  return ref;
}

/**
 * The issue exists, whatever a failed follow-up says about its own request (a 429 or a refused connection
 * proves only that the edit was not applied): a transient failure becomes one without a status, so the next
 * attempt looks the issue up, and the workflow's late check follows it. A permanent one parks as it is.
 */
function afterStored(ref: TicketRef, error: unknown): unknown {
  if (!(error instanceof TicketError) || isPermanent(error)) return error;
  // No `cause`: the refusal it carries would read as "nothing written" (src/activities/failures.ts).
  const message = `${error.message} (after ${ref.number} was created; the retry adds its comment)`;
  return new TicketUnavailableError(message, { retryAfterMs: error.retryAfterMs, detail: error.detail });
}
