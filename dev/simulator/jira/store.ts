/** Jira's three default statuses and the transitions between them (any status to any other). */
export const STATUSES = [
  { name: 'To Do', category: 'new', transition: { id: '11', name: 'To Do' } },
  { name: 'In Progress', category: 'indeterminate', transition: { id: '21', name: 'Start Progress' } },
  { name: 'Done', category: 'done', transition: { id: '31', name: 'Done' } },
] as const;

export type StatusName = (typeof STATUSES)[number]['name'];

export interface SimComment {
  id: string;
  /** ADF document as sent. */
  body: unknown;
  created: string;
}

export interface SimIssue {
  id: string;
  key: string;
  project: string;
  issueType: string;
  status: StatusName;
  labels: string[];
  /** summary, description (ADF), priority and any other field as sent. */
  fields: Record<string, unknown>;
  comments: SimComment[];
  created: string;
  updated: string;
}

/** Jira's timestamp format: milliseconds and a +0000 offset. */
export function jiraTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('Z', '+0000');
}

export class IssueStore {
  readonly #issues = new Map<string, SimIssue>();
  #nextNumber = 1;
  #nextId = 10_000;
  #lastCreatedMs = 0;

  constructor(private readonly now: () => number) {}

  create(input: { project: string; issueType: string; labels: string[]; fields: Record<string, unknown> }): SimIssue {
    // Strictly increasing creation times, so ORDER BY created is a total order as on a real site.
    this.#lastCreatedMs = Math.max(this.now(), this.#lastCreatedMs + 1);
    const created = jiraTime(this.#lastCreatedMs);
    const issue: SimIssue = {
      ...input,
      id: String(this.#nextId++),
      key: `${input.project}-${this.#nextNumber++}`,
      status: 'To Do',
      comments: [],
      created,
      updated: created,
    };
    this.#issues.set(issue.id, issue);
    return issue;
  }

  /** By numeric id or by key, as Jira accepts both. */
  get(idOrKey: string): SimIssue | undefined {
    return this.#issues.get(idOrKey) ?? [...this.#issues.values()].find((issue) => issue.key === idOrKey);
  }

  all(): SimIssue[] {
    return [...this.#issues.values()];
  }

  touch(issue: SimIssue): void {
    issue.updated = jiraTime(this.now());
  }

  addComment(issue: SimIssue, body: unknown): SimComment {
    const comment = { id: String(this.#nextId++), body, created: jiraTime(this.now()) };
    issue.comments.push(comment);
    this.touch(issue);
    return comment;
  }

  clear(): void {
    this.#issues.clear();
  }
}

export function statusOf(name: StatusName) {
  return STATUSES.find((status) => status.name === name) ?? STATUSES[0];
}
