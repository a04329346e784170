/** The reconciler's query (issue 14): the bridge's tickets in a stable order, one page at a time. */
import { headerValue, type HttpAnswer } from '../http';
import type { TableRecord } from './records';

export interface UpdatedSinceQuery {
  /** `YYYY-MM-DD HH:MM:SS`, UTC: sys_updated_on's format. */
  since: string;
  /** The keyset of the last record read: the page starts right after it (`since` is then not used). */
  after?: SweepPosition;
  /** The range's end, inclusive: a range small enough to read to its end past records ACLs hide (no offset). */
  until?: SweepPosition;
  correlationPrefix: string;
  limit: number;
  fields: string[];
}

/**
 * One page of the sweep. ServiceNow applies sysparm_limit before ACLs and drops what the user may not read,
 * so a page can be short, even empty, while more follow: only the server's own word ends the sweep.
 * `more`: its Link header has rel="next" (or X-Total-Count counts past this page); undefined: it said nothing.
 * `total`: X-Total-Count, the query's records hidden ones included (how many the ACLs hid, once read to its end).
 */
export type SweepPage = TableRecord[] & { more?: boolean; total?: number };

/** A place in the order (sys_updated_on, sys_id), which no update of another record can shift. */
export interface SweepPosition {
  updatedOn: string;
  sysId: string;
}

const SWEEP_ORDER = 'ORDERBYsys_updated_on^ORDERBYsys_id';

/**
 * `^OR` binds only the two conditions beside it, so "later second, or same second and later sys_id" is
 * two queries joined by `^NQ`, each repeating the prefix condition; an `until` bound doubles them (and-ed).
 */
export function sweepQuery({ since, after, until, correlationPrefix }: UpdatedSinceQuery): string {
  const ours = `correlation_idSTARTSWITH${correlationPrefix}`;
  const lower = after
    ? [`^sys_updated_on>${after.updatedOn}`, `^sys_updated_on=${after.updatedOn}^sys_id>${after.sysId}`]
    : [`^sys_updated_on>=${since}`];
  const upper = until
    ? [`^sys_updated_on<${until.updatedOn}`, `^sys_updated_on=${until.updatedOn}^sys_id<=${until.sysId}`]
    : [''];
  const groups = lower.flatMap((from) => upper.map((to) => `${ours}${from}${to}`));
  return `${groups.join('^NQ')}^${SWEEP_ORDER}`;
}

/** Whether records follow this page, as the answer's pagination headers say; undefined when they say nothing. */
export function moreAfter(answer: HttpAnswer, limit: number): boolean | undefined {
  const link = headerValue(answer, 'link');
  if (link !== undefined) return /rel="?next"?/.test(link);
  const total = totalOf(answer);
  return total === undefined ? undefined : total > limit;
}

/** X-Total-Count: the query's records, those the ACLs hide included; undefined when absent. */
export function totalOf(answer: HttpAnswer): number | undefined {
  const total = Number.parseInt(headerValue(answer, 'x-total-count') ?? '', 10);
  return Number.isFinite(total) ? total : undefined;
}
