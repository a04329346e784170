/** Jira's field checks, reported in its `errors: {field: message}` shape. */
export type FieldErrors = Record<string, string>;

const SETTABLE = new Set(['summary', 'description', 'priority', 'labels', 'project', 'issuetype']);
const PRIORITIES = new Set(['Highest', 'High', 'Medium', 'Low', 'Lowest']);
const ISSUE_TYPES = new Set(['Task', 'Bug', 'Incident', 'Story']);
const SUMMARY_MAX_LENGTH = 255;
export const COMMENT_NOT_ADF = 'Comment body must be an Atlassian Document.';

export function isAdfDocument(value: unknown): boolean {
  const doc = value as { type?: unknown; version?: unknown; content?: unknown } | null;
  return (
    typeof doc === 'object' && doc !== null && doc.type === 'doc' && doc.version === 1 && Array.isArray(doc.content)
  );
}

function cannotBeSet(field: string): string {
  return `Field '${field}' cannot be set. It is not on the appropriate screen, or unknown.`;
}

/** Checks the fields of a create (`creating`) or an edit; custom fields the site lacks are refused as on Jira. */
export function fieldErrors(
  fields: Record<string, unknown>,
  options: { creating: boolean; projects: string[] },
): FieldErrors {
  const errors: FieldErrors = {};
  for (const name of Object.keys(fields)) {
    if (!SETTABLE.has(name)) errors[name] = cannotBeSet(name);
  }
  const { summary, description, labels } = fields;
  const { priority, project, issuetype } = fields as Record<string, { key?: unknown; name?: unknown } | undefined>;
  if ((options.creating || 'summary' in fields) && (typeof summary !== 'string' || !summary.trim())) {
    errors.summary = 'You must specify a summary of the issue.';
  } else if (typeof summary === 'string' && summary.length > SUMMARY_MAX_LENGTH) {
    errors.summary = `Summary must be less than ${SUMMARY_MAX_LENGTH} characters.`;
  }
  if (description !== undefined && !isAdfDocument(description)) {
    errors.description = 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
  }
  if (priority !== undefined && !PRIORITIES.has(String(priority?.name)))
    errors.priority = `Specify a valid 'id' or 'name' for Priority`;
  if (
    labels !== undefined &&
    (!Array.isArray(labels) || labels.some((label) => typeof label !== 'string' || /\s/.test(label)))
  ) {
    errors.labels = 'The label must not contain spaces.';
  }
  if (options.creating && !options.projects.includes(String(project?.key)))
    errors.project = 'valid project is required';
  if (options.creating && !ISSUE_TYPES.has(String(issuetype?.name))) errors.issuetype = 'Specify an issue type';
  if (!options.creating && (project !== undefined || issuetype !== undefined))
    errors.project = 'Field cannot be changed by an edit.';
  return errors;
}

/** `update.labels: [{add}, {remove}]` operations, or a message for a malformed one. */
export function applyLabelOperations(labels: string[], operations: unknown): string[] | string {
  if (operations === undefined) return labels;
  if (!Array.isArray(operations)) return 'labels update must be a list of operations';
  const result = new Set(labels);
  for (const operation of operations as { add?: unknown; remove?: unknown }[]) {
    if (typeof operation?.add === 'string' && !/\s/.test(operation.add)) result.add(operation.add);
    else if (typeof operation?.remove === 'string') result.delete(operation.remove);
    else return 'The label must not contain spaces.';
  }
  return [...result];
}

/** What a create's or an edit's `update` asks besides its fields: label operations and comments (ADF bodies). */
export interface IssueUpdate {
  labels: unknown;
  comments: unknown[];
  errors: FieldErrors;
}

/**
 * An `update`: `labels` operations and `comment: [{add: {body}}]`, which Jira stores with the issue in the same
 * request; `commentAllowed: false` is a create on a site whose create screen lacks the comment field.
 */
export function issueUpdate(update: unknown, options: { commentAllowed: boolean }): IssueUpdate {
  const { labels, comment, ...others } = (update ?? {}) as Record<string, unknown>;
  const errors: FieldErrors = Object.fromEntries(Object.keys(others).map((name) => [name, cannotBeSet(name)]));
  if (comment === undefined) return { labels, comments: [], errors };
  if (!options.commentAllowed) return { labels, comments: [], errors: { ...errors, comment: cannotBeSet('comment') } };
  const adds = Array.isArray(comment) ? (comment as { add?: { body?: unknown } }[]) : [];
  const comments = adds.map((operation) => operation?.add?.body);
  if (adds.length === 0 || !comments.every(isAdfDocument)) errors.comment = COMMENT_NOT_ADF;
  return { labels, comments, errors };
}
