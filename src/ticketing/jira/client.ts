import { TicketConflictError, TicketUnavailableError, TicketValidationError } from '../errors';
import { CORRELATION_MATCH_LIMIT, oldestFirst } from '../correlation-matches';
import type { CallContext, PooledTarget, TicketFields, TicketRef } from '../ticket-target';
import { textToAdf } from './adf';
import { JiraApi } from './api';
import { correlationLabel, toJiraWrite } from './fields';
import type { JiraOptions } from './options';

const REF_FIELDS = 'status,created,summary';

interface JiraIssue {
  id: string;
  key: string;
  fields?: { status?: { name?: string; statusCategory?: { key?: string } }; created?: string };
}

interface JiraTransition {
  id: string;
  name: string;
  to?: { name?: string };
}

export function createJiraTarget(options: JiraOptions): PooledTarget {
  const api = new JiraApi(options);
  const issuePath = (ref: TicketRef): string => `/issue/${encodeURIComponent(ref.id)}`;

  function toRef(issue: JiraIssue): TicketRef {
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
      url: `${options.baseUrl}/browse/${issue.key}`,
    };
  }

  async function read(ref: TicketRef, ctx: CallContext): Promise<TicketRef> {
    const query = { fields: REF_FIELDS };
    return toRef(
      (await api.call({
        operation: 'read',
        method: 'GET',
        path: issuePath(ref),
        query,
        signal: ctx.signal,
      })) as JiraIssue,
    );
  }

  async function comment(operation: string, ref: TicketRef, text: string, ctx: CallContext): Promise<void> {
    const body = { body: textToAdf(text) };
    await api.call({ operation, method: 'POST', path: `${issuePath(ref)}/comment`, body, signal: ctx.signal });
  }

  /** Writes fields (PUT) and the comment; skips calls with nothing to send. */
  async function write(operation: string, ref: TicketRef, fields: TicketFields, ctx: CallContext): Promise<void> {
    const change = toJiraWrite(fields);
    if (Object.keys(change.fields).length > 0 || change.labels.length > 0) {
      const update = change.labels.length > 0 ? { labels: change.labels.map((label) => ({ add: label })) } : undefined;
      const body = { fields: change.fields, ...(update && { update }) };
      await api.call({ operation, method: 'PUT', path: issuePath(ref), body, signal: ctx.signal });
    }
    if (change.comment) await comment(`${operation}Comment`, ref, change.comment, ctx);
  }

  /** Jira moves issues by transition; the configured name may be the transition's or its target status'. */
  async function transition(operation: string, ref: TicketRef, name: string, ctx: CallContext): Promise<void> {
    const path = `${issuePath(ref)}/transitions`;
    const answer = (await api.call({
      operation: `${operation}Transitions`,
      method: 'GET',
      path,
      signal: ctx.signal,
    })) as {
      transitions?: JiraTransition[];
    };
    const wanted = name.toLowerCase();
    const match = (answer?.transitions ?? []).find(
      (candidate) => candidate.name.toLowerCase() === wanted || candidate.to?.name?.toLowerCase() === wanted,
    );
    if (match) {
      await api.call({ operation, method: 'POST', path, body: { transition: { id: match.id } }, signal: ctx.signal });
      return;
    }
    const current = await read(ref, ctx);
    if (current.state?.toLowerCase() === wanted) return;
    throw new TicketConflictError(
      `Jira offers no transition "${name}" for ${current.number} in status "${current.state}"`,
    );
  }

  return {
    kind: 'jira',

    async create({ correlationId, fields }, ctx = {}) {
      if (!correlationId) throw new TicketValidationError('correlation id must not be empty');
      const change = toJiraWrite(fields);
      const labels = [...new Set([...(options.labels ?? []), ...change.labels, correlationLabel(correlationId)])];
      const issueFields = {
        ...change.fields,
        project: { key: options.project },
        issuetype: { name: options.issueType },
        labels,
      };
      const body = { fields: issueFields };
      const ref = toRef(
        (await api.call({
          operation: 'create',
          method: 'POST',
          path: '/issue',
          body,
          signal: ctx.signal,
        })) as JiraIssue,
      );
      if (change.comment) await comment('createComment', ref, change.comment, ctx);
      return { ...ref, closed: false };
    },

    async findByCorrelation(correlationId, ctx = {}) {
      const jql = `labels = "${correlationLabel(correlationId)}" ORDER BY created ASC`;
      const query = { jql, fields: REF_FIELDS, maxResults: CORRELATION_MATCH_LIMIT };
      const answer = (await api.call({
        operation: 'findByCorrelation',
        method: 'GET',
        path: '/search/jql',
        query,
        signal: ctx.signal,
      })) as {
        issues?: JiraIssue[];
      };
      if (!Array.isArray(answer?.issues)) throw new TicketUnavailableError('Jira search answer carries no issues list');
      return answer.issues.map(toRef).sort(createdThenId);
    },

    get: (ref, ctx = {}) => read(ref, ctx),

    async update(ref, fields, ctx = {}) {
      await write('update', ref, fields, ctx);
      return read(ref, ctx);
    },

    async resolve(ref, fields, ctx = {}) {
      await write('resolve', ref, fields, ctx);
      await transition('resolve', ref, options.doneTransition, ctx);
      return read(ref, ctx);
    },

    async cancelDuplicate(duplicate, kept, ctx = {}) {
      if (duplicate.id === kept.id) {
        throw new TicketValidationError(`refusing to cancel ${kept.number}: it is the issue being kept`);
      }
      await comment(
        'cancelDuplicateComment',
        duplicate,
        `Cancelled by incident-bridge: duplicate of ${kept.number}, created by a retried request.`,
        ctx,
      );
      await transition('cancelDuplicate', duplicate, options.cancelTransition ?? options.doneTransition, ctx);
    },

    stats: () => api.stats(),
    close: () => api.close(),
  };
}

/** `created` carries milliseconds; the numeric id breaks ties. */
const createdThenId = oldestFirst((a, b) => Number(a.id) - Number(b.id));
