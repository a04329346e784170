import express, { type Request, type Response, type Router } from 'express';
import type { Secret } from '../../../src/common/secret';
import { parseJql, runQuery } from './jql';
import { commentsJson, issueJson, sendJiraError, sendUnauthenticated, transitionsJson } from './responses';
import { STATUSES, type IssueStore, type SimIssue } from './store';
import type { CommentAddFaults } from './comment-faults';
import { applyLabelOperations, COMMENT_NOT_ADF, fieldErrors, issueUpdate, isAdfDocument } from './validate';

export interface JiraRouteDeps {
  store: IssueStore;
  users: { email: string; apiToken: Secret }[];
  projects: string[];
  baseUrl: () => string;
  /** Whether a create may carry `update.comment` (the site's create screen has the comment field). */
  commentOnCreate: boolean;
  commentFaults: CommentAddFaults;
}

const NO_ISSUE = 'Issue does not exist or you do not have permission to see it.';
const MAX_RESULTS = 100;

function authenticated(deps: JiraRouteDeps) {
  return (req: Request, res: Response, next: () => void): void => {
    const [scheme, encoded] = (req.headers.authorization ?? '').split(' ', 2);
    const decoded = scheme?.toLowerCase() === 'basic' && encoded ? Buffer.from(encoded, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const [email, token] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
    const known = colon > 0 && deps.users.some((user) => user.email === email && user.apiToken.equals(token));
    if (known) return next();
    sendUnauthenticated(res);
  };
}

/** Runs `handle` with the issue named in the path, or answers Jira's 404. */
function withIssue(deps: JiraRouteDeps, handle: (issue: SimIssue, req: Request, res: Response) => void) {
  return (req: Request, res: Response): void => {
    const issue = deps.store.get(req.params.issue);
    if (!issue) return sendJiraError(res, 404, [NO_ISSUE]);
    handle(issue, req, res);
  };
}

function createIssue(deps: JiraRouteDeps) {
  return (req: Request, res: Response): void => {
    const fields = (req.body?.fields ?? {}) as Record<string, unknown>;
    const update = issueUpdate(req.body?.update, { commentAllowed: deps.commentOnCreate });
    const errors = { ...fieldErrors(fields, { creating: true, projects: deps.projects }), ...update.errors };
    const { project, issuetype, labels, ...rest } = fields as {
      project: { key: string };
      issuetype: { name: string };
      labels?: string[];
    };
    const allLabels = applyLabelOperations(labels ?? [], update.labels);
    if (typeof allLabels === 'string') errors.labels = allLabels;
    if (Object.keys(errors).length > 0) return sendJiraError(res, 400, [], errors);
    const issue = deps.store.create({
      project: project.key,
      issueType: issuetype.name,
      labels: allLabels as string[],
      fields: rest,
    });
    for (const body of update.comments) deps.store.addComment(issue, body);
    res.status(201).json({ id: issue.id, key: issue.key, self: `${deps.baseUrl()}/rest/api/3/issue/${issue.id}` });
  };
}

/** Answers a request that adds a comment to an existing issue with the comment-add fault, if one is due. */
function failedCommentAdd(deps: JiraRouteDeps, res: Response): boolean {
  const failure = deps.commentFaults.take();
  if (!failure) return false;
  if (failure.retryAfterSec !== undefined) res.setHeader('Retry-After', String(failure.retryAfterSec));
  sendJiraError(res, failure.status, [`Injected comment failure ${failure.status}`]);
  return true;
}

function addComment(deps: JiraRouteDeps) {
  return withIssue(deps, (issue, req, res) => {
    if (failedCommentAdd(deps, res)) return;
    if (!isAdfDocument(req.body?.body)) return sendJiraError(res, 400, [], { comment: COMMENT_NOT_ADF });
    res.status(201).json(deps.store.addComment(issue, req.body.body));
  });
}

function editIssue(deps: JiraRouteDeps) {
  return withIssue(deps, (issue, req, res) => {
    const { labels, ...fields } = (req.body?.fields ?? {}) as Record<string, unknown>;
    const update = issueUpdate(req.body?.update, { commentAllowed: true });
    const errors = { ...fieldErrors(fields, { creating: false, projects: deps.projects }), ...update.errors };
    const nextLabels = applyLabelOperations(Array.isArray(labels) ? (labels as string[]) : issue.labels, update.labels);
    if (typeof nextLabels === 'string') errors.labels = nextLabels;
    if (Object.keys(errors).length > 0) return sendJiraError(res, 400, [], errors);
    if (update.comments.length > 0 && failedCommentAdd(deps, res)) return;
    Object.assign(issue.fields, fields);
    issue.labels = nextLabels as string[];
    for (const body of update.comments) deps.store.addComment(issue, body);
    deps.store.touch(issue);
    res.status(204).end();
  });
}

function transitionIssue(deps: JiraRouteDeps) {
  return withIssue(deps, (issue, req, res) => {
    const id = String(req.body?.transition?.id ?? '');
    const target = STATUSES.find((status) => status.transition.id === id && status.name !== issue.status);
    if (!target) return sendJiraError(res, 400, [`Transition id '${id}' is not valid for this issue.`]);
    issue.status = target.name;
    deps.store.touch(issue);
    res.status(204).end();
  });
}

function search(deps: JiraRouteDeps) {
  return (req: Request, res: Response): void => {
    const query = parseJql(String(req.query.jql ?? ''));
    if (typeof query === 'string') return sendJiraError(res, 400, [query]);
    const fields = typeof req.query.fields === 'string' ? req.query.fields.split(',') : undefined;
    const limit = Math.min(Number(req.query.maxResults) || 50, MAX_RESULTS);
    const issues = runQuery(deps.store.all(), query).slice(0, limit);
    res.json({ issues: issues.map((issue) => issueJson(issue, deps.baseUrl(), fields)), isLast: true });
  };
}

/** The Jira Cloud REST v3 endpoints the Jira target uses, with Jira's answers and error shapes. */
export function jiraRoutes(deps: JiraRouteDeps): Router {
  const router = express.Router();
  router.use(express.json({ limit: '1mb' }), authenticated(deps));
  router.post('/issue', createIssue(deps));
  router.get(
    '/issue/:issue',
    withIssue(deps, (issue, req, res) => {
      const fields = typeof req.query.fields === 'string' ? req.query.fields.split(',') : undefined;
      res.json(issueJson(issue, deps.baseUrl(), fields));
    }),
  );
  router.put('/issue/:issue', editIssue(deps));
  router.get(
    '/issue/:issue/comment',
    withIssue(deps, (issue, _req, res) => void res.json(commentsJson(issue))),
  );
  router.post('/issue/:issue/comment', addComment(deps));
  router.get(
    '/issue/:issue/transitions',
    withIssue(deps, (issue, _req, res) => void res.json(transitionsJson(issue))),
  );
  router.post('/issue/:issue/transitions', transitionIssue(deps));
  router.get('/search/jql', search(deps));
  router.use((_req, res) => sendJiraError(res, 404, ['Resource not found in the simulator.']));
  return router;
}
