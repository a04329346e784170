import { TicketValidationError } from '../errors';
import type { PooledTarget, TicketRef } from '../ticket-target';
import { JiraApi } from './api';
import { finishIssue, issueCreator } from './create';
import { addComment, findIssues, readIssue, REF_FIELDS, type JiraSite } from './issues';
import type { JiraOptions } from './options';
import { transitionIssue, writeIssue } from './write';

export function createJiraTarget(options: JiraOptions, deps: { requestsPerSecond?: number } = {}): PooledTarget {
  const site: JiraSite = { api: new JiraApi(options, deps.requestsPerSecond), options };
  const create = issueCreator(site);
  return {
    kind: 'jira',
    create: (input, ctx = {}) => create(input, ctx),
    finishCreate: (ref, input, ctx = {}) => finishIssue(site, ref, input.fields, ctx),

    async findByCorrelation(correlationId, ctx = {}) {
      const found = await findIssues(site, correlationId, ctx, { operation: 'findByCorrelation', fields: REF_FIELDS });
      return found.map((issue) => issue.ref);
    },

    get: (ref, ctx = {}) => readIssue(site, ref, ctx),

    async update(ref, fields, ctx = {}) {
      await writeIssue(site, 'update', ref, fields, ctx);
      return readIssue(site, ref, ctx);
    },

    async resolve(ref, fields, ctx = {}) {
      await writeIssue(site, 'resolve', ref, fields, ctx);
      await transitionIssue(site, 'resolve', ref, options.doneTransition, ctx);
      return readIssue(site, ref, ctx);
    },

    cancelDuplicate: (duplicate, kept, ctx = {}) => cancelDuplicate(site, duplicate, kept, ctx),
    stats: () => site.api.stats(),
    close: () => site.api.close(),
  };
}

async function cancelDuplicate(site: JiraSite, duplicate: TicketRef, kept: TicketRef, ctx = {}): Promise<void> {
  if (duplicate.id === kept.id) {
    throw new TicketValidationError(`refusing to cancel ${kept.number}: it is the issue being kept`);
  }
  const note = `Cancelled by incident-bridge: duplicate of ${kept.number}, created by a retried request.`;
  await addComment(site, 'cancelDuplicateComment', duplicate, note, ctx);
  const { cancelTransition, doneTransition } = site.options;
  await transitionIssue(site, 'cancelDuplicate', duplicate, cancelTransition ?? doneTransition, ctx);
}
