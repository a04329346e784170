import type { SimIssue } from './store';

/** The JQL the simulator understands: `labels = "x"` or `labels in ("a", "b")`, then optionally ORDER BY created. */
export interface LabelQuery {
  labels: string[];
  order: 'ASC' | 'DESC';
}

const LABEL_QUERY =
  /^\s*labels\s*(=\s*(?<one>"(?:[^"\\]|\\.)*"|[^\s"()]+)|in\s*\((?<many>[^)]*)\))\s*(ORDER\s+BY\s+created(?:\s+(?<order>ASC|DESC))?)?\s*$/i;
const QUOTED = /"((?:[^"\\]|\\.)*)"|([^\s,()"]+)/g;

export function parseJql(jql: string): LabelQuery | string {
  const match = LABEL_QUERY.exec(jql);
  if (!match?.groups) {
    return `Error in the JQL Query: the simulator only supports labels = "x" / labels in (...) [ORDER BY created]: ${jql}`;
  }
  const list = match.groups.one ?? match.groups.many ?? '';
  const labels = [...list.matchAll(QUOTED)].map((m) => (m[1] ?? m[2]).replace(/\\(.)/g, '$1'));
  return { labels, order: match.groups.order?.toUpperCase() === 'DESC' ? 'DESC' : 'ASC' };
}

export function runQuery(issues: SimIssue[], query: LabelQuery): SimIssue[] {
  const direction = query.order === 'ASC' ? 1 : -1;
  return issues
    .filter((issue) => issue.labels.some((label) => query.labels.includes(label)))
    .sort((a, b) => direction * (a.created.localeCompare(b.created) || Number(a.id) - Number(b.id)));
}
