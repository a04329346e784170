import type { Secret } from '../../common/secret';

export interface JiraOptions {
  /** e.g. https://your-site.atlassian.net (no path). */
  baseUrl: string;
  /** Project key new issues go to, e.g. OPS. */
  project: string;
  /** Issue type name, e.g. Task or Incident. */
  issueType: string;
  /** The Atlassian account the API token belongs to (basic auth user). */
  email: string;
  apiToken: Secret;
  /** Transition (or target status) name that resolves an issue. */
  doneTransition: string;
  /** Transition (or status) for cancelled duplicates; default `doneTransition`. */
  cancelTransition?: string;
  /** Labels added to every issue besides the correlation label. */
  labels?: string[];
  /** Default 20 000, below the 30 s activity timeout. */
  requestTimeoutMs?: number;
}
