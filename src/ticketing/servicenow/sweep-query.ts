/** The reconciler's query (issue 14): the bridge's tickets in a stable order, one page at a time. */
import { headerValue, type HttpAnswer } from '../http';
import type { TableRecord } from './records';

export interface UpdatedSinceQuery {
  /** `YYYY-MM-DD HH:MM:SS`, UTC: sys_updated_on's format. */
  since: string;
  /** The keyset of the last record read: the page starts right after it (`since` is then not used). */
  after?: SweepPosition;
  correlationPrefix: string;
  limit: number;
  /** Records of this same query to pass over: only after a page that ACLs emptied (see SweepPage). */
  offset?: number;
  fields: string[];
}

/**
 * One page of the sweep. ServiceNow applies sysparm_limit before ACLs and drops what the user may not read,
 * so a page can be short, even empty, while more follow: only the server's own word ends the sweep.
 * `more`: its Link header has rel="next" (or X-Total-Count counts past this page); undefined: it said nothing.
 */
export type SweepPage = TableRecord[] & { more?: boolean };

/** A place in the order (sys_updated_on, sys_id), which no update of another record can shift. */
export interface SweepPosition {
  updatedOn: string;
  sysId: string;
}

const SWEEP_ORDER = 'ORDERBYsys_updated_on^ORDERBYsys_id';

/**
 * `^OR` binds only the two conditions beside it, so "later second, or same second and later sys_id" is
 * two queries joined by `^NQ`, each repeating the prefix condition.
 */
export function sweepQuery({ since, after, correlationPrefix }: UpdatedSinceQuery): string {
  const ours = `correlation_idSTARTSWITH${correlationPrefix}`;
  if (!after) return `${ours}^sys_updated_on>=${since}^${SWEEP_ORDER}`;
  const later = `${ours}^sys_updated_on>${after.updatedOn}`;
  return `${later}^NQ${ours}^sys_updated_on=${after.updatedOn}^sys_id>${after.sysId}^${SWEEP_ORDER}`;
}

/** Whether records follow this page, as the answer's pagination headers say; undefined when they say nothing. */
export function moreAfter(answer: HttpAnswer, page: { offset: number; limit: number }): boolean | undefined {
  const link = headerValue(answer, 'link');
  if (link !== undefined) return /rel="?next"?/.test(link);
  const total = Number.parseInt(headerValue(answer, 'x-total-count') ?? '', 10);
  return Number.isFinite(total) ? total > page.offset + page.limit : undefined;
}
