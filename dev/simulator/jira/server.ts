import express from 'express';
import { Secret } from '../../../src/common/secret';
import { JsonFaults, type JsonFaultConfig } from '../rest/fault-gate';
import { serveOnLoopback } from '../rest/http-server';
import { CommentAddFaults, type CommentAddFault } from './comment-faults';
import { sendJiraError } from './responses';
import { jiraRoutes } from './routes';
import { IssueStore, type SimIssue } from './store';

export type { SimIssue } from './store';

/** The shared JSON faults plus Jira's own: failing comment adds apart from the create. */
export interface JiraFaultConfig extends JsonFaultConfig {
  commentAdd?: CommentAddFault;
}

export interface JiraSimulatorOptions {
  port?: number;
  host?: string;
  /** Default one user: bridge@example.com / jira-api-token. */
  users?: { email: string; apiToken: string }[];
  /** Project keys that accept issues; default ['OPS']. */
  projects?: string[];
  faults?: JiraFaultConfig;
  seed?: number;
  /** Default true; false is a site whose create screen lacks the comment field (a create with `update.comment` gets 400). */
  commentOnCreate?: boolean;
}

export interface JiraSimulator {
  url: string;
  /** Stored issues, oldest first. */
  issues(): SimIssue[];
  countByLabel(label: string): number;
  /** Calls that reached the simulator (faulted ones included), per `METHOD /path-pattern`. */
  calls(): Record<string, number>;
  /** Replaces every fault, the comment-add fault included. */
  setFaults(faults: JiraFaultConfig): void;
  close(): Promise<void>;
}

export const DEFAULT_JIRA_USER = { email: 'bridge@example.com', apiToken: 'jira-api-token' };

/** A Jira Cloud stand-in on loopback for tests and local runs (never production). */
export async function startJiraSimulator(options: JiraSimulatorOptions = {}): Promise<JiraSimulator> {
  const store = new IssueStore(() => Date.now());
  const { commentAdd, ...jsonFaults } = options.faults ?? {};
  const faults = new JsonFaults({ faults: jsonFaults, seed: options.seed });
  const commentFaults = new CommentAddFaults();
  commentFaults.set(commentAdd);
  const calls: Record<string, number> = {};
  let url = '';
  const users = (options.users ?? [DEFAULT_JIRA_USER]).map((user) => ({
    email: user.email,
    apiToken: new Secret(user.apiToken),
  }));
  const app = express();
  app.disable('x-powered-by');
  app.use((req, _res, next) => {
    const route = `${req.method} ${req.path.replace(/\/issue\/[^/]+/, '/issue/{id}')}`;
    calls[route] = (calls[route] ?? 0) + 1;
    next();
  });
  app.use(faults.gate((res, status, message) => sendJiraError(res, status, [message])));
  const projects = options.projects ?? ['OPS'];
  const commentOnCreate = options.commentOnCreate ?? true;
  app.use('/rest/api/3', jiraRoutes({ store, users, projects, baseUrl: () => url, commentOnCreate, commentFaults }));
  const server = await serveOnLoopback(app, options);
  url = server.url;
  return {
    url,
    issues: () => store.all(),
    countByLabel: (label) => store.all().filter((issue) => issue.labels.includes(label)).length,
    calls: () => ({ ...calls }),
    setFaults: ({ commentAdd: nextCommentAdd, ...next }) => {
      faults.set(next);
      commentFaults.set(nextCommentAdd);
    },
    close: () => server.close(),
  };
}
